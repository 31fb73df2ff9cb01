// Self-test of the fake upstream used by the provider tests (no plinth involved): each
// behaviour does what the provider tests rely on.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CONTEXT_LENGTH_MESSAGE, OK_TEXT, OK_USAGE, startFakeUpstream }
  from '../e2e/lib/fake_upstream.mjs';
import { readSse } from '../e2e/lib/sse.mjs';

let fake;
before(async () => {
  fake = await startFakeUpstream({ firstTokenDelayMs: 300 });
});
after(async () => {
  await fake?.close();
});

const post = (path, body, init = {}) => fetch(`${fake.baseUrl}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  ...init,
});
const chat = (model, extra = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

test('ok answers chat, completions and embeddings in OpenAI shapes', async () => {
  const c = await (await post('/chat/completions', chat('ok'))).json();
  assert.equal(c.object, 'chat.completion');
  assert.equal(c.choices[0].message.content, OK_TEXT);
  assert.deepEqual(c.usage, OK_USAGE);
  const t = await (await post('/completions', { model: 'ok', prompt: 'x' })).json();
  assert.equal(t.object, 'text_completion');
  assert.equal(t.choices[0].text, OK_TEXT);
  const e = await (await post('/embeddings', { model: 'ok', input: ['a', 'b'] })).json();
  assert.equal(e.data.length, 2);
  assert.ok(Math.abs(Math.hypot(...e.data[0].embedding) - 1) < 1e-9);
});

test('ok streams with a usage chunk only when asked', async () => {
  const plain = await readSse(await post('/chat/completions', chat('ok', { stream: true })));
  assert.equal(plain.content, OK_TEXT);
  assert.ok(plain.done);
  assert.equal(plain.usageChunks.length, 0);
  const withUsage = await readSse(await post('/chat/completions',
    chat('ok', { stream: true, stream_options: { include_usage: true } })));
  assert.equal(withUsage.usageChunks.length, 1);
  assert.deepEqual(withUsage.chunks.at(-1).choices, []);
  assert.deepEqual(withUsage.chunks.at(-1).usage, OK_USAGE);
  const noUsage = await readSse(await post('/chat/completions',
    chat('no-usage', { stream: true, stream_options: { include_usage: true } })));
  assert.equal(noUsage.usageChunks.length, 0);
  assert.equal(noUsage.content, OK_TEXT);
});

test('error statuses carry OpenAI error bodies', async () => {
  const r500 = await post('/chat/completions', chat('status-500'));
  assert.equal(r500.status, 500);
  assert.equal(typeof (await r500.json()).error.message, 'string');
  const r400 = await post('/chat/completions', chat('status-400'));
  assert.equal(r400.status, 400);
  assert.equal((await r400.json()).error.message, CONTEXT_LENGTH_MESSAGE);
});

test('reset-mid-stream breaks the connection after two chunks', async () => {
  const r = await readSse(await post('/chat/completions', chat('reset-mid-stream', { stream: true })));
  assert.equal(r.chunks.length, 2);
  assert.ok(r.readError, 'the read should fail');
  assert.ok(!r.done);
});

test('malformed-sse sends data that is not JSON', async () => {
  const r = await readSse(await post('/chat/completions', chat('malformed-sse', { stream: true })));
  assert.equal(r.events[0].data, '{not json');
});

test('slow-first-token waits before answering', async () => {
  const started = Date.now();
  const res = await post('/chat/completions', chat('slow-first-token'));
  assert.equal(res.status, 200);
  assert.ok(Date.now() - started >= 250);
});

test('hang-stream reports when the client goes away', async () => {
  const ac = new AbortController();
  const res = await post('/chat/completions', chat('hang-stream', { stream: true }),
    { signal: ac.signal });
  const reader = res.body.getReader();
  await reader.read();
  const seen = fake.waitForClose((r) => r.model === 'hang-stream', 2000);
  ac.abort();
  const rec = await seen;
  assert.ok(rec.closedEarly);
});

test('records request bodies', async () => {
  await post('/chat/completions', chat('ok', { stream: true, stream_options: { include_usage: true } }));
  const rec = await fake.waitForRequest((r) => r.body?.stream_options?.include_usage === true);
  assert.equal(rec.path, '/v1/chat/completions');
  assert.equal(rec.model, 'ok');
});
