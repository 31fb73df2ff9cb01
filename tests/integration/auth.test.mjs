// Authentication depends on the key alone: not on the Host header, not on how the path is
// spelled, and never on a key in the URL. Errors are 401 in the OpenAI error shape.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { rawRequest } from '../e2e/lib/http.mjs';
import { startPlinth, TEST_KEY } from '../e2e/lib/plinth.mjs';

let plinth;
before(async () => {
  plinth = await startPlinth();
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
});

const bearer = (key = TEST_KEY) => ({ authorization: `Bearer ${key}` });
const CHAT = { model: 'sim-chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 };

function assertOpenAiError(res, status) {
  assert.equal(res.status, status, `status ${res.status}: ${res.text}`);
  assert.match(res.headers['content-type'] || '', /application\/json/);
  const err = res.json?.error;
  assert.ok(err, `OpenAI error body: ${res.text}`);
  for (const field of ['message', 'type', 'param', 'code']) {
    assert.ok(field in err, `error.${field} present`);
  }
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0);
  return err;
}

test('the right key lists models', async () => {
  const res = await rawRequest(plinth.url, { path: '/v1/models', headers: bearer() });
  assert.equal(res.status, 200);
  assert.equal(res.json.object, 'list');
  const ids = res.json.data.map((m) => m.id);
  assert.ok(ids.includes('sim-chat'));
});

test('a missing or wrong key gets 401 in the OpenAI error shape', async () => {
  const cases = {
    none: {},
    wrong: bearer('sk-wrong'),
    empty: { authorization: 'Bearer ' },
    'no scheme': { authorization: TEST_KEY },
    basic: { authorization: `Basic ${Buffer.from(`user:${TEST_KEY}`).toString('base64')}` },
    'key prefix': bearer(TEST_KEY.slice(0, -1)),
    'key plus suffix': bearer(`${TEST_KEY}x`),
    'other header': { 'x-api-key': TEST_KEY },
  };
  for (const [name, headers] of Object.entries(cases)) {
    const res = await rawRequest(plinth.url, { path: '/v1/models', headers });
    const err = assertOpenAiError(res, 401);
    assert.ok(err.type, `${name}: error.type`);
    // The key is never echoed back.
    assert.ok(!res.text.includes(TEST_KEY), `${name}: the key is not echoed`);
  }
  const post = await rawRequest(plinth.url, { method: 'POST', path: '/v1/chat/completions',
    body: CHAT });
  assertOpenAiError(post, 401);
});

test('the Host header and forwarding headers do not change authentication', async () => {
  const hosts = ['localhost', `127.0.0.1:${plinth.port}`, 'admin.internal', 'evil.example:443',
    '[::1]'];
  for (const host of hosts) {
    const anon = await rawRequest(plinth.url, { path: '/v1/models',
      headers: { host, 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1',
        'x-forwarded-host': 'localhost' } });
    assert.equal(anon.status, 401, `Host: ${host} without a key`);
    const authed = await rawRequest(plinth.url, { path: '/v1/models',
      headers: { host, ...bearer() } });
    assert.equal(authed.status, 200, `Host: ${host} with the key`);
  }
});

test('no spelling of a path gets past authentication', async () => {
  const variants = [
    ['GET', '/v1/models'],
    ['GET', '//v1/models'],
    ['GET', '/v1//models'],
    ['GET', '/v1/models/'],
    ['GET', '/V1/models'],
    ['GET', '/v1/MODELS'],
    ['GET', '/v1/%2Fmodels'],
    ['GET', '/v1%2Fmodels'],
    ['GET', '/%761/models'],
    ['GET', '/v1/./models'],
    ['GET', '/v1/x/../models'],
    ['GET', '/v1/models?'],
    ['GET', '/v1/models#frag'],
    ['GET', '/v1/models;x=1'],
    ['GET', 'http://127.0.0.1/v1/models'],
    ['POST', '/v1/chat/completions'],
    ['POST', '//v1/chat/completions'],
    ['POST', '/v1/chat/completions/'],
    ['POST', '/V1/chat/completions'],
    ['POST', '/v1/chat%2Fcompletions'],
    ['POST', '/v1/chat/./completions'],
    ['POST', '/v1/x/../chat/completions'],
    ['POST', '/v1/embeddings/'],
  ];
  for (const [method, path] of variants) {
    const body = method === 'POST'
      ? (path.includes('embeddings') ? { model: 'sim-embed', input: 'hi' } : CHAT)
      : undefined;
    const anon = await rawRequest(plinth.url, { method, path, body });
    assert.notEqual(anon.status, 200, `${method} ${path} without a key must not succeed`);
    assert.ok(anon.status >= 400 && anon.status < 500,
      `${method} ${path} without a key: ${anon.status} ${anon.text}`);
    assert.ok(!/chat\.completion|"embedding"|"object":"list"/.test(anon.text),
      `${method} ${path}: no data without a key`);
    const authed = await rawRequest(plinth.url, { method, path, body, headers: bearer() });
    if (authed.status === 200) {
      // Treated as the canonical path: then it must have asked for the key.
      assert.equal(anon.status, 401, `${method} ${path} serves data with a key, so 401 without`);
    }
  }
});

test('keys in the URL are refused, even with a right header', async () => {
  for (const query of [`api_key=${TEST_KEY}`, `key=${TEST_KEY}`, `access_token=${TEST_KEY}`]) {
    for (const headers of [{}, bearer()]) {
      const res = await rawRequest(plinth.url, { path: `/v1/models?${query}`, headers });
      assert.ok(res.status === 401 || res.status === 400,
        `?${query.split('=')[0]} with${headers.authorization ? '' : 'out'} header: ${res.status}`);
      const err = res.json?.error;
      assert.ok(err, res.text);
      assert.match(err.message, /url|query/i, 'the message says keys in URLs are not accepted');
      assert.ok(!res.text.includes(TEST_KEY), 'the key is not echoed');
    }
  }
  const post = await rawRequest(plinth.url, { method: 'POST',
    path: `/v1/chat/completions?api_key=${TEST_KEY}`, body: CHAT, headers: bearer() });
  assert.ok(post.status === 401 || post.status === 400, `POST with ?api_key: ${post.status}`);
});

test('health and metrics need no key; the data plane does', async () => {
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    const res = await rawRequest(plinth.url, { path });
    assert.equal(res.status, 200, path);
  }
  const cases = [
    ['GET', '/v1/models', undefined],
    ['POST', '/v1/chat/completions', CHAT],
    ['POST', '/v1/completions', { model: 'sim-chat', prompt: 'hi', max_tokens: 2 }],
    ['POST', '/v1/embeddings', { model: 'sim-embed', input: 'hi' }],
  ];
  for (const [method, path, body] of cases) {
    const res = await rawRequest(plinth.url, { method, path, body });
    assert.equal(res.status, 401, `${method} ${path}`);
    const ok = await rawRequest(plinth.url, { method, path, body, headers: bearer() });
    assert.equal(ok.status, 200, `${method} ${path} with the key: ${ok.text}`);
  }
});
