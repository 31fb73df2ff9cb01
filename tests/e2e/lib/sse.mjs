// Reading text/event-stream bodies in tests: events are yielded as they arrive, with their
// arrival time, so tests can check both content and incrementality.

// Yields {data, json, at} for each event of a fetch Response body (a web ReadableStream).
// `json` is the parsed data, or undefined for `[DONE]` and for data that is not JSON.
export async function* sseEvents(body) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    buffer = buffer.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!block.split('\n').some((l) => l.startsWith('data:'))) continue;
      let json;
      try {
        json = data === '[DONE]' ? undefined : JSON.parse(data);
      } catch {
        json = undefined;
      }
      yield { data, json, at: Date.now() };
    }
  }
  if (buffer.trim()) yield { data: null, partial: buffer, at: Date.now() };
}

// Reads a whole SSE response. Returns {events, done, error, chunks, usageChunks, content,
// trailing}: `done` when a `[DONE]` event came; `error` the first `{"error":...}` event's
// error; `chunks` the JSON events without an error; `content` the concatenated chat deltas /
// completion texts of choice 0. A read failure (connection reset) is returned as readError.
export async function readSse(response) {
  const events = [];
  let readError = null;
  try {
    for await (const ev of sseEvents(response.body)) events.push(ev);
  } catch (err) {
    readError = err;
  }
  const chunks = events.filter((e) => e.json && !e.json.error).map((e) => e.json);
  const errorEvent = events.find((e) => e.json && e.json.error);
  const content = chunks.map((c) => {
    const ch = (c.choices || []).find((x) => (x.index ?? 0) === 0);
    if (!ch) return '';
    return ch.delta?.content ?? ch.text ?? '';
  }).join('');
  return {
    events,
    done: events.some((e) => e.data === '[DONE]'),
    error: errorEvent ? errorEvent.json.error : null,
    errorIndex: errorEvent ? events.indexOf(errorEvent) : -1,
    chunks,
    usageChunks: chunks.filter((c) => c.usage),
    content,
    readError,
    trailing: events.filter((e) => e.partial),
  };
}
