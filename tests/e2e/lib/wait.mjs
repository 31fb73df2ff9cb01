// Waiting on events and conditions with deadlines (tests never sleep to synchronise).

// Resolves or rejects like `promise`, or rejects with "timed out after N ms <what>".
export function withDeadline(promise, timeoutMs, what = 'waiting') {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms ${what}`)), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// Re-evaluates `check` (sync or async) until it returns a truthy value, which is returned.
// For state that only exists behind a poll (a metric, a file); intervalMs is the poll period.
export async function waitUntil(check, { timeoutMs = 5000, intervalMs = 20, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` +
        (last ? `: ${last.message}` : ''));
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
