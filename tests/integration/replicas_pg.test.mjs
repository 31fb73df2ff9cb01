// Two plinth replicas on one PostgreSQL store (docs/admin-api.md: "Other replicas on the
// same PostgreSQL follow within a second"): a change made through either replica's admin API
// is served by the other within a second; secrets sealed by one open on the other (same
// PLINTH_SECRET_KEY); call statistics of both replicas add up in the store.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startFakeUpstream } from '../e2e/lib/fake_upstream.mjs';
import { adminOk, adminRequest, readBody } from '../e2e/lib/admin.mjs';
import { startPlinth, TEST_KEY } from '../e2e/lib/plinth.mjs';
import { startPostgres } from '../e2e/lib/postgres.mjs';
import { sseEvents } from '../e2e/lib/sse.mjs';
import { waitUntil, withDeadline } from '../e2e/lib/wait.mjs';

const SECRET_KEY = 'f3a1c9e07b2d4c5a8e6f1029384756abcdef0123456789abcdeffedcba987654';  // 64 hex
const UPSTREAM_KEY = 'sk-upstream-replica-secret-5e1d';
// The spec's bound is one second; the margin covers scheduling on a loaded CI machine.
const FOLLOW_BOUND_MS = 1500;

let pg;
let fake;
let A;
let B;
const measured = [];  // {what, ms}

before(async () => {
  pg = await startPostgres();
  const db = await pg.createDatabase();
  fake = await startFakeUpstream();
  const config = {
    store: { kind: 'postgres', url: pg.conninfo(db) },
    log: { access_log: false },
    // Versions with provider "simulator" use this one: answers up to 4000 tokens at 200/s,
    // so that max_tokens sets a call's length.
    simulator_models: false,
    providers: [{ name: 'simulator', type: 'simulator',
      simulator: { time_to_first_token: '20ms', tokens_per_second: 200,
        default_max_tokens: 4000 } }],
  };
  const env = { PLINTH_SECRET_KEY: SECRET_KEY };
  // One at a time: the first creates the schema.
  A = await startPlinth({ config, env });
  B = await startPlinth({ config, env });
});

after(async () => {
  const codes = [];
  for (const p of [A, B]) if (p) codes.push(await p.stop());
  if (fake) await fake.close();
  if (pg) await pg.stop();
  assert.deepEqual(codes, codes.map(() => 0), 'both replicas exit 0 on SIGTERM');
});

// Reports the latencies measured by a test (in the runner's output).
function report(t) {
  for (const m of measured.splice(0)) t.diagnostic(`${m.what}: ${m.ms} ms`);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const api = (replica, method, urlPath, body) =>
  adminRequest(replica.url, method, urlPath, { body });
const ok = (replica, method, urlPath, body, status = 200) =>
  adminOk(replica.url, method, urlPath, body, status);

const action = (replica, model, name, body = {}) =>
  ok(replica, 'POST', `/admin/v1/models/${model}/release/${name}`, body);

function chatRequest(replica, model, { user = 'replica-test', maxTokens = 1, stream = false } = {}) {
  return fetch(`${replica.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, user, max_tokens: maxTokens, stream,
      messages: [{ role: 'user', content: 'hi' }] }),
  });
}

async function chat(replica, model, opts = {}) {
  const res = await chatRequest(replica, model, opts);
  const { text, json } = await readBody(res);
  const rev = res.headers.get('x-plinth-config-revision');
  return { status: res.status, version: res.headers.get('x-plinth-model-version'),
    revision: rev === null ? null : Number(rev), text, json };
}

async function listed(replica, model) {
  const body = await ok(replica, 'GET', '/v1/models');
  return body.data.some((m) => m.id === model);
}

// Polls `replica` (chat calls, and /v1/models) until it serves `model` under a config revision
// at least `revision`; returns that answer and the milliseconds since `since`.
async function follow(replica, model, revision, since, what) {
  const got = await waitUntil(async () => {
    const r = await chat(replica, model);
    return r.status === 200 && r.revision >= revision ? r : null;
  }, { timeoutMs: 10000, intervalMs: 5, what });
  const ms = Date.now() - since;
  measured.push({ what, ms });
  // Asked after the replica served the new revision (a listing sent alongside a chat could be
  // answered by the snapshot before it), so it must list the model.
  assert.ok(await listed(replica, model), `${what}: /v1/models lists ${model}`);
  return { got, ms };
}

// ---------------------------------------------------------------------------------------------

test('a release made through A is served by B within a second, and back', async (t) => {
  const M = 'repl-m';
  await ok(A, 'POST', '/admin/v1/models', { name: M }, 201);
  for (const v of ['v1', 'v2']) {
    await ok(A, 'POST', `/admin/v1/models/${M}/versions`,
      { name: v, provider: 'simulator', upstream_model: 'sim-chat' }, 201);
  }
  assert.equal((await chat(B, M)).status, 404, 'B does not serve the model before its release');
  assert.equal(await listed(B, M), false);

  // Promote through A: B follows.
  const promoted = await action(A, M, 'promote', { version: 'v1' });
  const t0 = Date.now();
  const onA = await chat(A, M);
  assert.equal(onA.version, 'v1', 'A serves its own change at once');
  assert.equal(onA.revision, promoted.revision);
  const b1 = await follow(B, M, promoted.revision, t0, 'promote via A -> B');
  assert.equal(b1.got.version, 'v1');
  assert.equal(b1.got.revision, promoted.revision, 'B runs the same config revision');
  assert.ok(b1.ms < FOLLOW_BOUND_MS, `B followed A's promote in ${b1.ms} ms`);

  // A canary of 100% through B: A follows.
  const canary = await action(B, M, 'canary', { version: 'v2', percent: 100 });
  const t1 = Date.now();
  const a1 = await follow(A, M, canary.revision, t1, 'canary 100% via B -> A');
  assert.equal(a1.got.version, 'v2', 'A sends everyone to the 100% canary');
  assert.equal(a1.got.revision, canary.revision);
  assert.ok(a1.ms < FOLLOW_BOUND_MS, `A followed B's canary in ${a1.ms} ms`);

  // Promote v2, then roll back, through B: A follows each.
  const p2 = await action(B, M, 'promote', { version: 'v2' });
  const t2 = Date.now();
  const a2 = await follow(A, M, p2.revision, t2, 'promote via B -> A');
  assert.equal(a2.got.version, 'v2');
  assert.ok(a2.ms < FOLLOW_BOUND_MS, `A followed B's promote in ${a2.ms} ms`);

  const rb = await action(B, M, 'rollback');
  assert.equal(rb.stable, 'v1');
  const t3 = Date.now();
  const a3 = await follow(A, M, rb.revision, t3, 'rollback via B -> A');
  assert.equal(a3.got.version, 'v1', 'A serves the rolled-back stable');
  assert.equal(a3.got.revision, rb.revision);
  assert.ok(a3.ms < FOLLOW_BOUND_MS, `A followed B's rollback in ${a3.ms} ms`);

  // Both replicas report the same release.
  assert.deepEqual(await ok(A, 'GET', `/admin/v1/models/${M}/release`),
    await ok(B, 'GET', `/admin/v1/models/${M}/release`));
  report(t);
});

test('an endpoint key sealed through A is opened by B (same PLINTH_SECRET_KEY)', async (t) => {
  const M = 'repl-upstream';
  await ok(A, 'POST', '/admin/v1/models', { name: M }, 201);
  const version = await ok(A, 'POST', `/admin/v1/models/${M}/versions`, {
    name: 'v1', provider: 'openai', upstream_model: 'ok',
    endpoints: [{ url: fake.baseUrl, weight: 1, api_key: UPSTREAM_KEY }],
  }, 201);
  assert.equal(version.endpoints[0].has_api_key, true);
  assert.ok(!JSON.stringify(version).includes(UPSTREAM_KEY), 'the key is never returned');
  const rel = await action(A, M, 'promote', { version: 'v1' });
  const t0 = Date.now();
  const { got, ms } = await follow(B, M, rel.revision, t0, 'openai version via A -> B');
  assert.equal(got.version, 'v1');
  assert.equal(got.json.choices[0].message.content, 'Hello from the fake upstream.');
  assert.ok(ms < FOLLOW_BOUND_MS, `B followed in ${ms} ms`);
  const seen = fake.requests.filter((r) => r.path === '/v1/chat/completions');
  assert.ok(seen.length > 0, 'the upstream was called');
  for (const r of seen) {
    assert.equal(r.headers.authorization, `Bearer ${UPSTREAM_KEY}`,
      'each replica sends the key it opened from the store');
  }
  report(t);
});

test('call statistics of both replicas add up in the store', async () => {
  const M = 'repl-stats';
  await ok(B, 'POST', '/admin/v1/models', { name: M }, 201);
  await ok(B, 'POST', `/admin/v1/models/${M}/versions`,
    { name: 'v1', provider: 'simulator', upstream_model: 'sim-chat' }, 201);
  await action(B, M, 'promote', { version: 'v1' });
  // Wait for A without calling the model (calls would count).
  await waitUntil(() => listed(A, M), { timeoutMs: 5000, intervalMs: 10, what: 'A lists it' });

  const onA = 5;
  const onB = 7;
  for (let i = 0; i < onA; i++) assert.equal((await chat(A, M, { maxTokens: 3 })).status, 200);
  for (let i = 0; i < onB; i++) assert.equal((await chat(B, M, { maxTokens: 3 })).status, 200);
  const want = onA + onB;

  // Counts reach the store every 2 s from each replica: poll either replica's stats.
  let last;
  await waitUntil(async () => {
    last = await ok(A, 'GET', `/admin/v1/models/${M}/stats?window=5m`);
    const v1 = last.versions.find((v) => v.version === 'v1');
    return v1 && v1.calls >= want;
  }, { timeoutMs: 10000, intervalMs: 100, what: `${want} calls in the stats` });
  const v1 = last.versions.find((v) => v.version === 'v1');
  assert.equal(v1.calls, want, `calls from A (${onA}) and B (${onB}) are summed: ` +
    `${JSON.stringify(last)}`);
  assert.equal(v1.errors, 0);
  assert.equal(v1.tokens_out, want * 3, 'output tokens summed');
  assert.equal(last.model, M);

  // B reads the same figures, also per version.
  const fromB = await ok(B, 'GET', `/admin/v1/models/${M}/versions/v1/stats?window=5m`);
  assert.equal(fromB.calls, want);
  assert.equal(fromB.tokens_out, want * 3);
  const perMinute = fromB.series.reduce((a, s) => a + s.calls, 0);
  assert.equal(perMinute, want, 'the per-minute series adds up to the total');
});

test('a forced offline made through A cuts the calls running on B', async (t) => {
  const M = 'repl-cut';
  await ok(A, 'POST', '/admin/v1/models', { name: M }, 201);
  for (const v of ['v1', 'v2']) {
    await ok(A, 'POST', `/admin/v1/models/${M}/versions`,
      { name: v, provider: 'simulator', upstream_model: 'sim-chat' }, 201);
  }
  await action(A, M, 'promote', { version: 'v1' });
  const canary = await action(A, M, 'canary', { version: 'v2', percent: 100 });
  await follow(B, M, canary.revision, Date.now(), 'canary via A -> B (before the cut)');

  // A 2000-token stream (10 s) on B's v2.
  const res = await chatRequest(B, M, { stream: true, maxTokens: 2000 });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-plinth-model-version'), 'v2');
  const events = [];
  const reading = (async () => {
    for await (const ev of sseEvents(res.body)) events.push(ev);
    return Date.now();
  })();
  await waitUntil(() => events.length > 2, { what: 'the stream on B to start' });

  const t0 = Date.now();  // B may cut before A answers: A cuts its own after the commit
  const rel = await action(A, M, 'offline', { version: 'v2', force: true });
  assert.deepEqual(rel.offline, ['v2']);
  const endedAt = await withDeadline(reading, 5000, "for B's stream on v2 to be cut");
  const ms = endedAt - t0;
  measured.push({ what: 'force offline via A -> cut on B', ms });
  const last = events.at(-1);
  assert.equal(last.json?.error?.code, 'model_version_offline',
    `B's stream ends with the offline error event: ${last.data}`);
  assert.ok(!events.some((e) => e.data === '[DONE]'), 'no [DONE] after the cut');
  assert.ok(ms < FOLLOW_BOUND_MS, `B cut its stream ${ms} ms after the action was sent`);

  const next = await chat(B, M);
  assert.equal(next.status, 200, next.text);
  assert.equal(next.version, 'v1', 'B sends new calls to stable');
  assert.ok(next.revision >= rel.revision);
  report(t);
});
