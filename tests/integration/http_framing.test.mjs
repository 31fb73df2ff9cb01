// HTTP/1.1 framing at the front door, byte by byte: pipelined requests in one write or
// arriving while the previous one is handled, Expect: 100-continue with the body already
// sent, heads up to the configured header_limit, which of two Authorization headers counts,
// and the idle timeout of a kept-alive connection. The server parses what one read buffered
// in place, goes to the socket only for the rest, and reads the next request while it
// handles the current one, so these are the cases those paths must get right.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { rawExchange } from '../e2e/lib/http.mjs';
import { startPlinth, TEST_KEY } from '../e2e/lib/plinth.mjs';

let plinth;
before(async () => {
  plinth = await startPlinth({
    config: {
      server: { header_limit: '32KiB', idle_timeout: '1s' },
      providers: [
        { name: 'fast', type: 'simulator',
          simulator: { time_to_first_token: '1ms', tokens_per_second: 0, default_max_tokens: 4 } },
        { name: 'slow', type: 'simulator',
          simulator: { time_to_first_token: '300ms', tokens_per_second: 0, default_max_tokens: 4 } },
      ],
      models: [{ name: 'fast-chat', provider: 'fast' }, { name: 'slow-chat', provider: 'slow' }],
    },
  });
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
});

const chatBody = (model) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });
const body = chatBody('fast-chat');

function chatRequest({ id, close = false, extra = '', model = 'fast-chat' }) {
  const body = chatBody(model);
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

// Writes each of `writes` as its own write (the next one once the previous is flushed) and
// collects everything until the server closes the connection or `timeoutMs` passes.
// With `end`, the client half-closes after its last write.
function writeApart(port, writes, timeoutMs, { end = false } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    const parts = [];
    let settled = false;
    const finish = (closed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ text: Buffer.concat(parts).toString('latin1'), closed,
        elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const writeFrom = (i) => {
      if (i < writes.length) sock.write(writes[i], () => setImmediate(() => writeFrom(i + 1)));
      else if (end) sock.end();
    };
    sock.on('connect', () => writeFrom(0));
    sock.on('data', (c) => parts.push(c));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
  });
}

test('a request that arrives while the previous one is handled is answered after it', async () => {
  // The slow request takes 300 ms upstream: the second arrives while it is in flight, in
  // the read the server keeps open to notice a client going away.
  const res = await writeApart(plinth.port, [
    chatRequest({ id: 'early-1', model: 'slow-chat' }),
    chatRequest({ id: 'early-2', close: true }),
  ], 5000);
  assert.deepEqual(statuses(res.text), [200, 200], res.text);
  assert.deepEqual(ids(res.text), ['early-1', 'early-2']);
  assert.equal(res.closed, true);
});

test('a large body in many reads, the next request in its last, is read whole and in order',
  async () => {
    // The body of known length is read from the socket straight into the request's body;
    // those reads must stop at its end, leaving the pipelined request to the next.
    const big = JSON.stringify({ model: 'fast-chat',
      messages: [{ role: 'user', content: 'the quick brown fox '.repeat(40000) }] });
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${TEST_KEY}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(big)}\r\nx-request-id: big-1\r\n\r\n`;
    const pieces = [head + big.slice(0, 1000)];
    for (let at = 1000; at < big.length - 5000; at += 150000) {
      pieces.push(big.slice(at, Math.min(at + 150000, big.length - 5000)));
    }
    pieces.push(big.slice(big.length - 5000) + chatRequest({ id: 'big-2', close: true }));
    const res = await writeApart(plinth.port, pieces, 10000);
    assert.deepEqual(statuses(res.text), [200, 200], res.text.slice(0, 2000));
    assert.deepEqual(ids(res.text), ['big-1', 'big-2']);
    assert.equal(res.closed, true);
  });

test('a body cut short by the client\'s close ends the connection; the server goes on serving',
  async () => {
    const res = await writeApart(plinth.port, [
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_KEY}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 300000\r\n\r\n{"model":`,
    ], 3000, { end: true });
    assert.equal(res.closed, true);
    const again = await rawExchange(plinth.port, chatRequest({ id: 'after-cut', close: true }));
    assert.deepEqual(statuses(again.text), [200], again.text);
  });

test('a kept-alive connection is closed once idle_timeout passes after its answer', async () => {
  const res = await writeApart(plinth.port, [chatRequest({ id: 'idle-1', model: 'slow-chat' })],
    10000);
  assert.deepEqual(statuses(res.text), [200], res.text);
  assert.equal(res.closed, true, 'the server closed the idle connection');
  assert.ok(res.elapsedMs >= 1000 && res.elapsedMs < 10000,
    `closed ${res.elapsedMs} ms after connecting (idle_timeout 1 s after a 300 ms answer)`);
});

test('a connection idle less than idle_timeout between requests stays open past it', async () => {
  // The idle deadline is lazy: the timer armed for the first wait wakes 1 s later and must
  // find the wait it watches started anew (each request below comes 600 ms after the last
  // answer, 2.4 s in all), not close the connection.
  const res = await new Promise((resolve, reject) => {
    const sock = net.connect(plinth.port, '127.0.0.1');
    let text = '';
    let sent = 0;
    const send = () => sock.write(chatRequest({ id: `kept-${++sent}`, close: sent === 5 }));
    sock.on('connect', send);
    sock.on('data', (c) => {
      text += c.toString('latin1');
      if (statuses(text).length === sent && sent < 5) setTimeout(send, 600);
    });
    sock.on('close', () => resolve({ text, sent }));
    sock.on('error', reject);
  });
  assert.deepEqual(statuses(res.text), [200, 200, 200, 200, 200], res.text);
  assert.deepEqual(ids(res.text), ['kept-1', 'kept-2', 'kept-3', 'kept-4', 'kept-5']);
});

test('a client that half-closes while its request is handled gets the request cancelled',
  async () => {
    // end() sends FIN after the request: the server takes it as the client going away, as
    // it did before for a closed socket, and answers nothing.
    const res = await new Promise((resolve) => {
      const sock = net.connect(plinth.port, '127.0.0.1');
      const parts = [];
      sock.on('connect', () => sock.end(chatRequest({ id: 'gone-1', model: 'slow-chat' })));
      sock.on('data', (c) => parts.push(c));
      sock.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
    });
    assert.equal(res, '', 'no answer to a client that went away');
  });
