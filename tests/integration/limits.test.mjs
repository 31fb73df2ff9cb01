// Request limits and validation: body and header sizes, JSON depth, content type, malformed
// or incomplete bodies, unknown models, methods and paths, and the read timeout.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { rawExchange, rawRequest } from '../e2e/lib/http.mjs';
import { startPlinth, TEST_KEY } from '../e2e/lib/plinth.mjs';

let plinth;
before(async () => {
  plinth = await startPlinth({
    config: {
      server: { body_limit: '1KiB', header_limit: '4KiB', max_json_depth: 16, read_timeout: '1s' },
      providers: [{ name: 'fast', type: 'simulator',
        simulator: { time_to_first_token: '5ms', tokens_per_second: 0, default_max_tokens: 8 } }],
      models: [{ name: 'fast-chat', provider: 'fast' }],
    },
  });
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
});

const auth = { authorization: `Bearer ${TEST_KEY}` };
const json = { ...auth, 'content-type': 'application/json' };
const chat = (extra = {}) => ({ model: 'fast-chat', messages: [{ role: 'user', content: 'hi' }],
  ...extra });
const post = (body, headers = json, path = '/v1/chat/completions', opts = {}) =>
  rawRequest(plinth.url, { method: 'POST', path, headers,
    body: typeof body === 'string' ? body : JSON.stringify(body), ...opts });

function assertError(res, status, { param, code, message } = {}) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  const err = res.json?.error;
  assert.ok(err, `OpenAI error body: ${res.text}`);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, 'the message says what is wrong');
  if (param !== undefined) assert.equal(err.param, param, `param: ${res.text}`);
  if (code !== undefined) assert.equal(err.code, code, `code: ${res.text}`);
  if (message) assert.match(err.message, message);
  return err;
}

test('a valid small request succeeds (control)', async () => {
  const res = await post(chat());
  assert.equal(res.status, 200, res.text);
  const charset = await post(chat(), { ...auth, 'content-type': 'application/json; charset=utf-8' });
  assert.equal(charset.status, 200, `application/json; charset=utf-8: ${charset.text}`);
});

test('a body over body_limit gets 413', async () => {
  const big = chat({ messages: [{ role: 'user', content: 'x'.repeat(2048) }] });
  assertError(await post(big), 413);
  // Chunked transfer encoding (no Content-Length) is limited the same way.
  assertError(await post(big, json, '/v1/chat/completions', { chunked: true }), 413);
  // A server that is still healthy afterwards.
  assert.equal((await post(chat())).status, 200);
});

test('headers over header_limit get 431', async () => {
  const res = await rawRequest(plinth.url, { path: '/v1/models',
    headers: { ...auth, 'x-padding': 'p'.repeat(8 * 1024) } });
  assert.equal(res.status, 431, res.text);
  const many = {};
  for (let i = 0; i < 200; i++) many[`x-h${i}`] = 'v'.repeat(30);
  const res2 = await rawRequest(plinth.url, { path: '/healthz', headers: many });
  assert.equal(res2.status, 431, 'many small headers add up');
});

test('JSON nested deeper than max_json_depth gets 400', async () => {
  const deep = `{"model":"fast-chat","messages":[{"role":"user","content":"hi"}],"metadata":` +
    `${'['.repeat(40)}${']'.repeat(40)}}`;
  assertError(await post(deep), 400, { message: /depth|nest|deep/i });
  // A deep body on a path that needs no JSON parsing of nested data still is refused, and
  // bigger depths do not crash the server.
  const deeper = `${'['.repeat(300)}${']'.repeat(300)}`;
  assertError(await post(deeper), 400);
  assert.equal((await post(chat())).status, 200);
});

test('a POST that is not JSON gets 415', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
    assertError(await post(chat(), { ...auth, 'content-type': type }), 415);
  }
});

test('malformed JSON gets 400 naming the problem', async () => {
  const err = assertError(await post('{"model": "fast-chat", "messages": ['), 400,
    { message: /json/i });
  assert.equal(err.type, 'invalid_request_error');
  assertError(await post('{"model": "fast-chat",}'), 400, { message: /json/i });
  assertError(await post(''), 400);
  assertError(await post('[1,2]'), 400);
  assertError(await post('"just a string"'), 400);
  assertError(await post(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), 400);
});

test('a missing model or messages gets 400 with error.param naming it', async () => {
  assertError(await post({ messages: [{ role: 'user', content: 'hi' }] }), 400, { param: 'model' });
  assertError(await post({ model: 'fast-chat' }), 400, { param: 'messages' });
  assertError(await post({ model: 42, messages: [] }), 400, { param: 'model' });
  const notArray = await post({ model: 'fast-chat', messages: 'hi' });
  assertError(notArray, 400);
  assert.match(notArray.json.error.param, /^messages/);
  assertError(await post({ prompt: 'x' }, json, '/v1/completions'), 400, { param: 'model' });
  assertError(await post({ model: 'fast-chat' }, json, '/v1/embeddings'), 400, { param: 'input' });
});

test('an unknown model gets 404 model_not_found', async () => {
  const err = assertError(await post(chat({ model: 'no-such-model' })), 404,
    { code: 'model_not_found' });
  assert.match(err.message, /no-such-model/);
  assertError(await post({ model: 'no-such-model', input: 'x' }, json, '/v1/embeddings'), 404,
    { code: 'model_not_found' });
});

test('a wrong method gets 405 and an unknown path 404', async () => {
  const get = await rawRequest(plinth.url, { path: '/v1/chat/completions', headers: auth });
  assertError(get, 405);
  const put = await rawRequest(plinth.url, { method: 'PUT', path: '/v1/models', headers: auth });
  assertError(put, 405);
  const del = await rawRequest(plinth.url, { method: 'DELETE', path: '/v1/embeddings', headers: auth });
  assertError(del, 405);
  assertError(await rawRequest(plinth.url, { path: '/v1/nope', headers: auth }), 404);
  assertError(await rawRequest(plinth.url, { path: '/nope', headers: auth }), 404);
});

test('a client that stalls after the headers gets 408 or is closed within read_timeout', async () => {
  const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    `Authorization: Bearer ${TEST_KEY}\r\nContent-Type: application/json\r\n` +
    'Content-Length: 100\r\n\r\n{"model":';
  const partialHeaders = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';
  const [body, headers] = await Promise.all([
    rawExchange(plinth.port, head, { timeoutMs: 4000 }),
    rawExchange(plinth.port, partialHeaders, { timeoutMs: 4000 }),
  ]);
  for (const [name, r] of [['stalled body', body], ['stalled headers', headers]]) {
    assert.ok(r.status === 408 || (r.status === null && r.closed),
      `${name}: 408 or closed, got status ${r.status}, closed ${r.closed}: ${r.text}`);
    assert.ok(r.elapsedMs < 3500, `${name}: ended after ${r.elapsedMs} ms (read_timeout 1s)`);
    assert.ok(r.elapsedMs >= 800, `${name}: ended after only ${r.elapsedMs} ms`);
  }
});
