// HTTP/1.1 framing at the front door, byte by byte: pipelined requests in one write,
// Expect: 100-continue with the body already sent, heads up to the configured header_limit,
// and which of two Authorization headers counts. The server parses what one read buffered
// in place and goes to the socket only for the rest, so these are the cases that path must
// get right.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { rawExchange } from '../e2e/lib/http.mjs';
import { startPlinth, TEST_KEY } from '../e2e/lib/plinth.mjs';

let plinth;
before(async () => {
  plinth = await startPlinth({
    config: {
      server: { header_limit: '32KiB' },
      providers: [{ name: 'fast', type: 'simulator',
        simulator: { time_to_first_token: '1ms', tokens_per_second: 0, default_max_tokens: 4 } }],
      models: [{ name: 'fast-chat', provider: 'fast' }],
    },
  });
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
});

const body = JSON.stringify({ model: 'fast-chat', messages: [{ role: 'user', content: 'hi' }] });

function chatRequest({ id, close = false, extra = '' }) {
  return `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_KEY}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${id}\r\n${extra}${close ? 'Connection: close\r\n' : ''}\r\n${body}`;
}

const statuses = (text) => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
const ids = (text) => [...text.matchAll(/x-request-id: (\S+)\r\n/gi)].map((m) => m[1]);

test('pipelined requests in one write are answered in order', async () => {
  const bytes = chatRequest({ id: 'pipe-1' }) + chatRequest({ id: 'pipe-2' }) +
    chatRequest({ id: 'pipe-3', close: true });
  const res = await rawExchange(plinth.port, bytes);
  assert.deepEqual(statuses(res.text), [200, 200, 200], res.text);
  assert.deepEqual(ids(res.text), ['pipe-1', 'pipe-2', 'pipe-3']);
  assert.equal(res.closed, true, 'Connection: close ends the connection after the third');
});

test('a body sent with Expect: 100-continue before the 100 is read once', async () => {
  const bytes = chatRequest({ id: 'expect-1', extra: 'Expect: 100-continue\r\n' }) +
    chatRequest({ id: 'expect-2', close: true });
  const res = await rawExchange(plinth.port, bytes);
  const finals = statuses(res.text).filter((s) => s !== 100);
  assert.deepEqual(finals, [200, 200], res.text);
  assert.deepEqual(ids(res.text), ['expect-1', 'expect-2']);
});

test('a head under header_limit but over 8 KiB is served; over it gets 431', async () => {
  const big = `x-padding: ${'p'.repeat(20 * 1024)}\r\n`;
  const ok = await rawExchange(plinth.port, chatRequest({ id: 'big-head', close: true, extra: big }));
  assert.deepEqual(statuses(ok.text), [200], ok.text.slice(0, 300));
  const huge = `x-padding: ${'p'.repeat(40 * 1024)}\r\n`;
  const refused = await rawExchange(plinth.port,
    chatRequest({ id: 'huge-head', close: true, extra: huge }));
  assert.deepEqual(statuses(refused.text), [431], refused.text.slice(0, 300));
});

test('the first Authorization header counts, even when it is empty', async () => {
  const bytes = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: \r\n` +
    `Authorization: Bearer ${TEST_KEY}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  const res = await rawExchange(plinth.port, bytes);
  assert.deepEqual(statuses(res.text), [401], res.text.slice(0, 300));
});
