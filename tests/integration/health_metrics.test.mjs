// Health, readiness, request ids, the access log and the Prometheus metrics of one server
// that fronts the built-in simulator and a fake upstream (for upstream errors).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startFakeUpstream } from '../e2e/lib/fake_upstream.mjs';
import { chatBody, postJson, startPlinth } from '../e2e/lib/plinth.mjs';
import { find, scrape, sum } from '../e2e/lib/prometheus.mjs';
import { readSse } from '../e2e/lib/sse.mjs';
import { waitUntil } from '../e2e/lib/wait.mjs';

let plinth;
let fake;

before(async () => {
  fake = await startFakeUpstream();
  plinth = await startPlinth({
    config: {
      providers: [
        { name: 'fast', type: 'simulator',
          simulator: { time_to_first_token: '5ms', tokens_per_second: 0, default_max_tokens: 8 } },
        { name: 'fake', type: 'openai', base_url: fake.baseUrl,
          timeouts: { connect: '1s', first_token: '1s', idle: '1s' } },
      ],
      models: [
        { name: 'fast-chat', provider: 'fast' },
        { name: 'up-ok', provider: 'fake', upstream_model: 'ok' },
        { name: 'up-500', provider: 'fake', upstream_model: 'status-500' },
      ],
    },
  });
});

after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
  await fake?.close();
});

test('the server listens on loopback', () => {
  assert.equal(new URL(plinth.url).hostname, '127.0.0.1');
});

test('GET /healthz and /readyz answer 200 without a key', async () => {
  for (const path of ['/healthz', '/readyz']) {
    const res = await fetch(`${plinth.url}${path}`);
    assert.equal(res.status, 200, path);
    await res.arrayBuffer();
  }
});

test('every response carries x-request-id: the client\'s when sent, else a new one', async () => {
  const a = await fetch(`${plinth.url}/healthz`);
  const b = await fetch(`${plinth.url}/healthz`);
  const idA = a.headers.get('x-request-id');
  const idB = b.headers.get('x-request-id');
  assert.ok(idA, 'generated id on /healthz');
  assert.ok(idB);
  assert.notEqual(idA, idB, 'generated ids are unique');

  const mine = 'client-req-42.abc';
  const echoed = await fetch(`${plinth.url}/healthz`, { headers: { 'x-request-id': mine } });
  assert.equal(echoed.headers.get('x-request-id'), mine);

  // Errors and the data plane carry it too.
  const unauth = await fetch(`${plinth.url}/v1/models`);
  assert.equal(unauth.status, 401);
  assert.ok(unauth.headers.get('x-request-id'));
  const missing = await fetch(`${plinth.url}/no/such/path`, { headers: { 'x-request-id': mine } });
  assert.equal(missing.headers.get('x-request-id'), mine);
  const chat = await postJson(`${plinth.url}/v1/chat/completions`, chatBody('fast-chat'),
    { headers: { 'x-request-id': 'chat-req-1' } });
  assert.equal(chat.status, 200);
  assert.equal(chat.headers.get('x-request-id'), 'chat-req-1');
  await chat.json();
  const stream = await postJson(`${plinth.url}/v1/chat/completions`,
    chatBody('fast-chat', { stream: true }), { headers: { 'x-request-id': 'stream-req-1' } });
  assert.equal(stream.headers.get('x-request-id'), 'stream-req-1');
  await readSse(stream);
});

test('a request id that could inject into headers or logs is replaced', async () => {
  const res = await fetch(`${plinth.url}/healthz`, { headers: { 'x-request-id': 'a b"c{}' } });
  const id = res.headers.get('x-request-id');
  assert.ok(id);
  assert.notEqual(id, 'a b"c{}');
});

test('the access log has one JSON line per request with tokens and latency', async () => {
  const id = 'access-log-1';
  const res = await postJson(`${plinth.url}/v1/chat/completions`, chatBody('fast-chat'),
    { headers: { 'x-request-id': id } });
  const body = await res.json();
  assert.equal(res.status, 200);
  const rec = await plinth.waitForAccessLog((r) => r.request_id === id);
  assert.equal(rec.model, 'fast-chat');
  assert.equal(rec.status, 200);
  assert.equal(typeof rec.endpoint, 'string');
  assert.match(rec.endpoint, /chat/);
  assert.ok('key_id' in rec, 'key_id field');
  assert.ok(rec.key_id, 'key_id names the calling key');
  assert.ok(!JSON.stringify(rec).includes(plinth.key), 'the key itself is never logged');
  assert.equal(rec.prompt_tokens, body.usage.prompt_tokens);
  assert.equal(rec.completion_tokens, body.usage.completion_tokens);
  assert.equal(typeof rec.latency_ms, 'number');
  assert.ok(rec.latency_ms >= 0);

  // Failed requests are logged too.
  const bad = await fetch(`${plinth.url}/v1/models`, { headers: { 'x-request-id': 'access-log-401' } });
  assert.equal(bad.status, 401);
  const rec401 = await plinth.waitForAccessLog((r) => r.request_id === 'access-log-401');
  assert.equal(rec401.status, 401);
});

test('GET /metrics exposes the gateway metrics without a key', async () => {
  // Traffic to count: a chat, a stream, an upstream success and an upstream error.
  const chat = await postJson(`${plinth.url}/v1/chat/completions`, chatBody('fast-chat'));
  const usage = (await chat.json()).usage;
  const stream = await postJson(`${plinth.url}/v1/chat/completions`,
    chatBody('fast-chat', { stream: true }));
  assert.ok((await readSse(stream)).done);
  const ok = await postJson(`${plinth.url}/v1/chat/completions`, chatBody('up-ok'));
  assert.equal(ok.status, 200);
  await ok.json();
  const failed = await postJson(`${plinth.url}/v1/chat/completions`, chatBody('up-500'));
  assert.equal(failed.status, 502);
  await failed.json();

  const m = await waitUntil(async () => {
    const s = await scrape(plinth.url);
    const done = sum(s.samples, 'plinth_requests_total', { model: 'up-500', status: '502' }) >= 1 &&
      sum(s.samples, 'plinth_in_flight_streams') === 0;
    return done && s;
  }, { what: 'metrics to count the traffic' });

  assert.equal(m.status, 200);
  assert.match(m.contentType, /^text\/plain/);
  const req = find(m.samples, 'plinth_requests_total', { model: 'fast-chat', status: '200' });
  assert.ok(req.length >= 1, 'plinth_requests_total{model="fast-chat",status="200"}');
  assert.ok(req.every((s) => typeof s.labels.endpoint === 'string' && s.labels.endpoint));
  assert.ok(sum(m.samples, 'plinth_requests_total', { model: 'fast-chat', status: '200' }) >= 2);

  for (const h of ['plinth_request_duration_seconds', 'plinth_time_to_first_token_seconds',
    'plinth_upstream_duration_seconds']) {
    assert.equal(m.types[h], 'histogram', `${h} is a histogram`);
    assert.ok(find(m.samples, `${h}_bucket`).some((s) => s.labels.le === '+Inf'), `${h}_bucket`);
    assert.ok(sum(m.samples, `${h}_count`) >= 1, `${h}_count counts`);
    assert.ok(find(m.samples, `${h}_sum`).length >= 1, `${h}_sum`);
  }

  const tokensIn = sum(m.samples, 'plinth_tokens_total', { model: 'fast-chat', direction: 'in' });
  const tokensOut = sum(m.samples, 'plinth_tokens_total', { model: 'fast-chat', direction: 'out' });
  assert.ok(tokensIn >= usage.prompt_tokens && usage.prompt_tokens > 0, 'tokens in');
  assert.ok(tokensOut >= usage.completion_tokens && usage.completion_tokens > 0, 'tokens out');

  assert.equal(m.types.plinth_in_flight_requests, 'gauge');
  assert.equal(m.types.plinth_in_flight_streams, 'gauge');
  assert.equal(find(m.samples, 'plinth_in_flight_streams').length >= 1, true);

  const errs = find(m.samples, 'plinth_upstream_errors_total');
  assert.ok(errs.length >= 1 && errs.every((s) => s.labels.kind), 'plinth_upstream_errors_total{kind}');
  assert.ok(sum(m.samples, 'plinth_upstream_errors_total') >= 1);
});
