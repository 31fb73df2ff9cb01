// The OpenAI-compatible provider against a fake upstream that misbehaves on purpose:
// status mapping, timeouts, broken and malformed streams, usage estimation, the forced
// stream_options.include_usage, model name replacement and cancellation.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { BIG_CONTENT_BYTES, CONTEXT_LENGTH_MESSAGE, OK_TEXT, OK_USAGE, startFakeUpstream }
  from '../e2e/lib/fake_upstream.mjs';
import { chatBody, postJson, startPlinth } from '../e2e/lib/plinth.mjs';
import { scrape, sum } from '../e2e/lib/prometheus.mjs';
import { readSse, sseEvents } from '../e2e/lib/sse.mjs';
import { countTokens } from '../e2e/lib/tokens.mjs';
import { withDeadline } from '../e2e/lib/wait.mjs';

let plinth;
let fake;

// A port nothing listens on: bind, read the port, close.
async function closedPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

const MODELS = {
  'up-ok': 'ok',
  'up-slow': 'slow-first-token',
  'up-reset': 'reset-mid-stream',
  'up-malformed': 'malformed-sse',
  'up-malformed-mid': 'malformed-sse-mid',
  'up-500': 'status-500',
  'up-400': 'status-400',
  'up-nousage': 'no-usage',
  'up-hang': 'hang-stream',
  'up-big': 'big',
};

before(async () => {
  fake = await startFakeUpstream({ firstTokenDelayMs: 3000 });
  const timeouts = { connect: '1s', first_token: '1s', idle: '1s', total: '10s' };
  plinth = await startPlinth({
    config: {
      simulator_models: false,
      providers: [
        { name: 'fake', type: 'openai', base_url: fake.baseUrl, timeouts },
        { name: 'dead', type: 'openai', base_url: `http://127.0.0.1:${await closedPort()}/v1`,
          timeouts },
      ],
      models: [
        ...Object.entries(MODELS).map(([name, upstream]) =>
          ({ name, provider: 'fake', upstream_model: upstream })),
        { name: 'up-dead', provider: 'dead', upstream_model: 'ok' },
      ],
    },
  });
});

after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0);
  await fake?.close();
});

const url = () => `${plinth.url}/v1/chat/completions`;
let seq = 0;
const rid = (name) => `prov-${name}-${++seq}`;

async function chat(model, extra = {}, headers = {}) {
  const res = await postJson(url(), chatBody(model, extra), { headers });
  return res;
}

function assertErrorShape(body) {
  assert.ok(body?.error, `error body: ${JSON.stringify(body)}`);
  assert.equal(typeof body.error.message, 'string');
  for (const f of ['message', 'type', 'param', 'code']) assert.ok(f in body.error, `error.${f}`);
}

test('ok: 200 with the upstream\'s answer; the model name is replaced upstream', async () => {
  const id = rid('ok');
  const res = await chat('up-ok', {}, { 'x-request-id': id });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, 'chat.completion');
  assert.equal(body.choices[0].message.content, OK_TEXT);
  assert.equal(body.usage.prompt_tokens, OK_USAGE.prompt_tokens);
  assert.equal(body.usage.completion_tokens, OK_USAGE.completion_tokens);
  const seen = await fake.waitForRequest((r) => r.headers['x-request-id'] === id);
  assert.equal(seen.path, '/v1/chat/completions');
  assert.equal(seen.body.model, 'ok', 'the upstream model name is sent upstream');
  assert.deepEqual(seen.body.messages, chatBody('up-ok').messages, 'messages pass through');
  assert.ok(!('authorization' in seen.headers) ||
    !seen.headers.authorization.includes(plinth.key), 'the client\'s key is not forwarded');
});

test('legacy completions and embeddings go to the upstream too', async () => {
  const comp = await postJson(`${plinth.url}/v1/completions`, { model: 'up-ok', prompt: 'hi' });
  assert.equal(comp.status, 200);
  assert.equal((await comp.json()).choices[0].text, OK_TEXT);
  const emb = await postJson(`${plinth.url}/v1/embeddings`,
    { model: 'up-ok', input: ['a', 'b'], encoding_format: 'float' });
  assert.equal(emb.status, 200);
  const body = await emb.json();
  assert.equal(body.data.length, 2);
  assert.equal(body.data[1].index, 1);
});

test('streams: include_usage is always asked upstream, forwarded only when the client asked',
  async () => {
    const id = rid('stream');
    const plain = await readSse(await chat('up-ok', { stream: true }, { 'x-request-id': id }));
    assert.ok(plain.done, '[DONE]');
    assert.equal(plain.content, OK_TEXT);
    assert.equal(plain.usageChunks.length, 0, 'no usage chunk when the client did not ask');
    const seen = await fake.waitForRequest((r) => r.headers['x-request-id'] === id);
    assert.equal(seen.body.stream, true);
    assert.equal(seen.body.stream_options?.include_usage, true, 'Plinth forces include_usage');
    assert.equal(seen.body.model, 'ok');

    const asked = await readSse(await chat('up-ok',
      { stream: true, stream_options: { include_usage: true } }));
    assert.ok(asked.done);
    assert.equal(asked.content, OK_TEXT);
    assert.equal(asked.usageChunks.length, 1, 'exactly one usage chunk');
    const last = asked.chunks.at(-1);
    assert.deepEqual(last.choices, [], 'the usage chunk has empty choices and comes last');
    assert.equal(last.usage.prompt_tokens, OK_USAGE.prompt_tokens);
    assert.equal(last.usage.completion_tokens, OK_USAGE.completion_tokens);
    assert.equal(last.usage.total_tokens, OK_USAGE.total_tokens);
  });

test('upstream 500 becomes 502', async () => {
  for (const stream of [false, true]) {
    const res = await chat('up-500', { stream });
    assert.equal(res.status, 502, `stream=${stream}`);
    assertErrorShape(await res.json());
  }
});

test('upstream 400 stays 400 and passes the upstream\'s message on', async () => {
  for (const stream of [false, true]) {
    const res = await chat('up-400', { stream });
    assert.equal(res.status, 400, `stream=${stream}`);
    const body = await res.json();
    assertErrorShape(body);
    assert.match(body.error.message, /maximum context length is 4096 tokens/);
    assert.ok(body.error.message.includes(CONTEXT_LENGTH_MESSAGE.slice(0, 50)));
  }
});

test('an unreachable upstream gives 502', async () => {
  for (const stream of [false, true]) {
    const started = Date.now();
    const res = await chat('up-dead', { stream });
    assert.equal(res.status, 502, `stream=${stream}`);
    assertErrorShape(await res.json());
    assert.ok(Date.now() - started < 5000);
  }
});

test('a slow first token gives 504 after timeouts.first_token', async () => {
  for (const stream of [false, true]) {
    const started = Date.now();
    const res = await chat('up-slow', { stream });
    const elapsed = Date.now() - started;
    assert.equal(res.status, 504, `stream=${stream}`);
    assertErrorShape(await res.json());
    assert.ok(elapsed >= 900 && elapsed < 2900, `504 after ${elapsed} ms (first_token 1s)`);
  }
  // Plinth gave up on the upstream connection.
  await fake.waitForClose((r) => r.model === 'slow-first-token', 3000);
});

test('a stream reset mid-way ends with an SSE error event after the first chunks', async () => {
  const res = await chat('up-reset', { stream: true });
  assert.equal(res.status, 200);
  const r = await withDeadline(readSse(res), 5000, 'for the broken stream to end');
  assert.equal(r.readError, null, `the client stream ends cleanly: ${r.readError}`);
  assert.ok(r.chunks.length >= 1, 'the first chunks arrive');
  assert.ok(r.content.startsWith('Hello'));
  assert.ok(r.error, 'an error event is sent');
  assert.equal(typeof r.error.message, 'string');
  assert.ok(r.errorIndex > 0, 'the error comes after the chunks');
  assert.ok(!r.events.slice(r.errorIndex + 1).some((e) => e.json?.choices),
    'no chunk after the error');
});

test('malformed SSE: 502 before the first chunk, an error event after it', async () => {
  const first = await chat('up-malformed', { stream: true });
  if (first.status === 200) {
    const r = await withDeadline(readSse(first), 5000, 'for the malformed stream to end');
    assert.ok(r.error, 'an error event is sent');
    assert.equal(r.chunks.length, 0);
  } else {
    assert.equal(first.status, 502);
    assertErrorShape(await first.json());
  }

  const mid = await chat('up-malformed-mid', { stream: true });
  assert.equal(mid.status, 200);
  const r = await withDeadline(readSse(mid), 5000, 'for the malformed stream to end');
  assert.equal(r.content, 'Hello');
  assert.ok(r.error, 'an error event is sent');
  assert.ok(r.errorIndex > 0);

  const nonStream = await chat('up-malformed');
  assert.equal(nonStream.status, 502, 'a non-JSON upstream body is 502');
  assertErrorShape(await nonStream.json());
});

test('an upstream that stops sending ends the stream with an error after timeouts.idle',
  async () => {
    const started = Date.now();
    const res = await chat('up-hang', { stream: true });
    assert.equal(res.status, 200);
    const r = await withDeadline(readSse(res), 5000, 'for the idle timeout');
    assert.ok(r.error, 'an error event is sent');
    assert.equal(r.content, 'Hello');
    assert.ok(Date.now() - started < 4000);
  });

test('no usage upstream: Plinth estimates tokens, logs them, and still sends a usage chunk',
  async () => {
    const id = rid('nousage');
    const r = await readSse(await chat('up-nousage',
      { stream: true, stream_options: { include_usage: true } }, { 'x-request-id': id }));
    assert.ok(r.done);
    assert.equal(r.content, OK_TEXT);
    assert.equal(r.usageChunks.length, 1, 'a usage chunk is delivered anyway');
    const u = r.chunks.at(-1).usage;
    assert.ok(u.prompt_tokens > 0, 'estimated prompt tokens');
    assert.equal(u.completion_tokens, countTokens(OK_TEXT), 'estimated completion tokens');
    assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
    const rec = await plinth.waitForAccessLog((x) => x.request_id === id);
    assert.equal(rec.prompt_tokens, u.prompt_tokens);
    assert.equal(rec.completion_tokens, u.completion_tokens);
    if ('tokens_estimated' in rec) assert.equal(rec.tokens_estimated, true);

    const id2 = rid('nousage-plain');
    const plain = await readSse(await chat('up-nousage', { stream: true },
      { 'x-request-id': id2 }));
    assert.equal(plain.usageChunks.length, 0);
    const rec2 = await plinth.waitForAccessLog((x) => x.request_id === id2);
    assert.equal(rec2.completion_tokens, countTokens(OK_TEXT));
    assert.ok(rec2.prompt_tokens > 0);

    const id3 = rid('nousage-call');
    const whole = await chat('up-nousage', {}, { 'x-request-id': id3 });
    assert.equal(whole.status, 200);
    await whole.json();
    const rec3 = await plinth.waitForAccessLog((x) => x.request_id === id3);
    assert.equal(rec3.completion_tokens, countTokens(OK_TEXT));

    const m = await scrape(plinth.url);
    assert.ok(sum(m.samples, 'plinth_tokens_total', { model: 'up-nousage', direction: 'out' }) >=
      3 * countTokens(OK_TEXT), 'metrics count the estimated tokens');
  });

test('a client that aborts a stream closes the upstream connection; the next request works',
  async () => {
    const id = rid('cancel');
    const ac = new AbortController();
    const baseline = fake.requests.length;
    const res = await postJson(url(), chatBody('up-hang', { stream: true }),
      { signal: ac.signal, headers: { 'x-request-id': id } });
    assert.equal(res.status, 200);
    const first = await withDeadline(sseEvents(res.body).next(), 3000, 'for the first chunk');
    assert.ok(first.value?.json, 'the first chunk arrives');
    const upstream = await fake.waitForRequest((r) => r.seq > baseline && r.model === 'hang-stream');
    const abortedAt = Date.now();
    ac.abort();
    const closed = await fake.waitForClose((r) => r.seq === upstream.seq, 2500);
    assert.ok(closed.closedAt - abortedAt < 2000,
      `the upstream saw the close ${closed.closedAt - abortedAt} ms after the abort`);

    const ok = await chat('up-ok');
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).choices[0].message.content, OK_TEXT);
  });

test('an answer larger than the socket takes at once arrives whole', async () => {
  // 24 MiB: the first send takes what the kernel buffers, the rest is written as the
  // client reads.
  const res = await chat('up-big');
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(text));
  const content = JSON.parse(text).choices[0].message.content;
  assert.equal(content.length, BIG_CONTENT_BYTES);
  assert.ok(/^b+$/.test(content), 'every byte as the upstream sent it');
});

test('upstream errors are counted by kind', async () => {
  const m = await scrape(plinth.url);
  assert.ok(sum(m.samples, 'plinth_upstream_errors_total') >= 3);
  const kinds = new Set(m.samples.filter((s) => s.name === 'plinth_upstream_errors_total')
    .map((s) => s.labels.kind));
  assert.ok(kinds.size >= 2, `several kinds: ${[...kinds].join(', ')}`);
});
