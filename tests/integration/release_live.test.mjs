// Release changes while traffic flows (docs/admin-api.md, Releases): 100 promote/rollback
// flips under a steady concurrent load fail no request and route every request by the
// release of the snapshot it was admitted under; a change takes effect for the next request;
// a forced offline cuts the requests running on a version with a clear error, a graceful one
// lets them finish; `online` brings a version back.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { adminOk as adminOkAt, adminRequest, readBody } from '../e2e/lib/admin.mjs';
import { startPlinth, TEST_KEY } from '../e2e/lib/plinth.mjs';
import { sum, scrape } from '../e2e/lib/prometheus.mjs';
import { readSse, sseEvents } from '../e2e/lib/sse.mjs';
import { waitUntil, withDeadline } from '../e2e/lib/wait.mjs';

const BETA_KEY = 'sk-beta-0123456789abcdef';  // a user key in group "beta"
const TPS = 200;  // simulator tokens per second
// Long calls: 2000 tokens take 10 s at TPS, far longer than any cut should take to arrive.
const LONG = 2000;
// Calls that must finish while a release action happens: 400 tokens, 2 s.
const MEDIUM = 400;

let plinth;
before(async () => {
  plinth = await startPlinth({
    config: {
      // The versions' provider "simulator" is this one: its answers run up to
      // default_max_tokens tokens (the built-in one stops at 64), so max_tokens sets a call's
      // length exactly.
      simulator_models: false,
      providers: [{ name: 'simulator', type: 'simulator',
        simulator: { time_to_first_token: '20ms', tokens_per_second: TPS,
          default_max_tokens: 4000 } }],
      api_keys: [{ name: 'beta', key: BETA_KEY, groups: ['beta'] }],
      log: { access_log: false },
    },
  });
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
});

// ---------------------------------------------------------------------------------------------
// Helpers

const admin = (method, urlPath, body) => adminRequest(plinth.url, method, urlPath, { body });
const adminOk = (method, urlPath, body, status = 200) =>
  adminOkAt(plinth.url, method, urlPath, body, status);

// A model with simulator versions that differ only by name (the same upstream model, so
// the same text): only x-plinth-model-version tells which one served.
async function createModel(name, versions) {
  await adminOk('POST', '/admin/v1/models', { name }, 201);
  for (const v of versions) {
    await adminOk('POST', `/admin/v1/models/${name}/versions`,
      { name: v, provider: 'simulator', upstream_model: 'sim-chat' }, 201);
  }
}

const action = (model, name, body = {}) =>
  adminOk('POST', `/admin/v1/models/${model}/release/${name}`, body);

function chatRequest(model, { key = TEST_KEY, stream = false, maxTokens = 4, signal } = {}) {
  const body = { model, messages: [{ role: 'user', content: 'Tell me a story.' }],
    max_tokens: maxTokens };
  if (stream) body.stream = true;
  return fetch(`${plinth.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

const headerInfo = (res) => ({
  status: res.status,
  version: res.headers.get('x-plinth-model-version'),
  revision: res.headers.get('x-plinth-config-revision') === null ? null
    : Number(res.headers.get('x-plinth-config-revision')),
});

// One non-streamed chat call: {status, version, revision, json, text, at} (at: when it ended).
async function chat(model, opts = {}) {
  const res = await chatRequest(model, opts);
  const { text, json } = await readBody(res);
  return { ...headerInfo(res), json, text, at: Date.now() };
}

// One streamed chat call read to its end: headers plus readSse's result.
async function chatStream(model, opts = {}) {
  const res = await chatRequest(model, { ...opts, stream: true });
  const info = headerInfo(res);
  if (res.status !== 200) return { ...info, text: await res.text() };
  return { ...info, ...(await readSse(res)) };
}

// A stream that is started and held open: resolves once its first content chunk has
// arrived; `rest` resolves with {events, done, error, errorIndex, readError, content, endedAt}
// once it ends (events include the ones read before).
async function openStream(model, opts = {}) {
  const res = await chatRequest(model, { ...opts, stream: true });
  const info = headerInfo(res);
  assert.equal(res.status, 200, `stream to ${model} started`);
  const iter = sseEvents(res.body);
  const events = [];
  for (;;) {
    const { value, done } = await withDeadline(iter.next(), 5000, 'for a first chunk');
    assert.ok(!done, 'the stream sent a first chunk');
    events.push(value);
    if (value.json?.choices?.[0]?.delta?.content) break;
  }
  const rest = (async () => {
    let readError = null;
    try {
      for (;;) {
        const { value, done } = await iter.next();
        if (done) break;
        events.push(value);
      }
    } catch (err) {
      readError = err;
    }
    const errorIndex = events.findIndex((e) => e.json?.error);
    const content = events.filter((e) => e.json && !e.json.error)
      .map((e) => e.json.choices?.[0]?.delta?.content ?? '').join('');
    return { events, done: events.some((e) => e.data === '[DONE]'),
      error: errorIndex >= 0 ? events[errorIndex].json.error : null, errorIndex, readError,
      content, endedAt: Date.now() };
  })();
  return { ...info, rest };
}

const inFlight = async () => sum((await scrape(plinth.url)).samples, 'plinth_in_flight_requests');

// Resolves once `n` data-plane requests are being handled (a non-streamed call sends nothing
// before it ends: this is how the test knows it is running).
const waitInFlight = (n) => waitUntil(async () => (await inFlight()) >= n,
  { timeoutMs: 5000, what: `${n} requests in flight` });

// A stream's events after `t`: proves it was still running across an action.
const eventsAfter = (events, t) => events.filter((e) => e.at > t).length;

function expectOfflineError(err, what) {
  assert.ok(err, `${what}: an error`);
  assert.equal(err.code, 'model_version_offline', `${what}: code (${JSON.stringify(err)})`);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, `${what}: a message`);
}

// A stream cut by a forced offline: an SSE error event naming model_version_offline is the
// last event, no [DONE], the connection closed cleanly, and it came soon after the action
// (the call would otherwise have run for LONG / TPS seconds).
function expectCut(s, actionAt, what) {
  assert.equal(s.readError, null, `${what}: read without a connection error`);
  expectOfflineError(s.error, what);
  assert.equal(s.errorIndex, s.events.length - 1, `${what}: the error event is the last event`);
  assert.equal(s.done, false, `${what}: no [DONE] after the error`);
  assert.ok(s.endedAt - actionAt < 3000,
    `${what}: cut at once (${s.endedAt - actionAt} ms after the action)`);
}

// A stream that ran to its end across an action: [DONE], no error, all MEDIUM tokens, and
// events after the action's answer.
function expectFinished(s, actionAt, what) {
  assert.equal(s.readError, null, `${what}: read without a connection error`);
  assert.equal(s.error, null, `${what}: no error event (${JSON.stringify(s.error)})`);
  assert.equal(s.done, true, `${what}: ends with [DONE]`);
  assert.equal(s.content.split(' ').length, MEDIUM, `${what}: every token arrived`);
  assert.ok(eventsAfter(s.events, actionAt) > 10,
    `${what}: it was still running when the action answered`);
}

// ---------------------------------------------------------------------------------------------

test('100 release flips under load: no request fails, each is routed by its snapshot',
  async (t) => {
    const M = 'live-m';
    await createModel(M, ['v1', 'v2']);
    const first = await action(M, 'promote', { version: 'v1' });
    const stableAt = new Map([[first.revision, 'v1']]);  // config revision -> stable version

    // The load: 8 workers, half streaming, half not, each sending short calls back to back.
    const results = [];
    let stopping = false;
    let latestRevision = -1;  // the newest config revision any load response carried
    async function worker(streaming) {
      while (!stopping) {
        const r = streaming ? await chatStream(M, { maxTokens: 6 }) : await chat(M, { maxTokens: 6 });
        r.streaming = streaming;
        results.push(r);
        if (r.revision !== null && r.revision > latestRevision) latestRevision = r.revision;
      }
    }
    const workers = Array.from({ length: 8 }, (_, i) => worker(i % 2 === 0));

    const sequential = [];
    const started = Date.now();
    try {
      for (let i = 0; i < 100; i++) {
        // 99 promotes alternating v2, v1, ..., v2; the 100th a rollback (back to v1).
        const rel = i === 99 ? await action(M, 'rollback')
          : await action(M, 'promote', { version: i % 2 === 0 ? 'v2' : 'v1' });
        const expected = i === 99 ? 'v1' : (i % 2 === 0 ? 'v2' : 'v1');
        assert.equal(rel.stable, expected, `flip ${i}: the answer names the new stable`);
        assert.ok(!stableAt.has(rel.revision), `flip ${i}: a new revision (${rel.revision})`);
        stableAt.set(rel.revision, rel.stable);
        // The change takes effect for the next request.
        const next = await chat(M, { maxTokens: 1 });
        sequential.push({ i, rel, next });
        assert.equal(next.status, 200, `flip ${i}: the next request: ${next.text}`);
        assert.equal(next.version, rel.stable,
          `flip ${i} (${i === 99 ? 'rollback' : 'promote'}): the next request is served by ` +
          `the new stable`);
        assert.equal(next.revision, rel.revision,
          `flip ${i}: the next request is admitted under the action's revision`);
        // Pace the flips by the load: wait until the load has been admitted under this
        // revision, so every release of the sequence serves some of it.
        await waitUntil(() => latestRevision >= rel.revision,
          { timeoutMs: 5000, intervalMs: 2, what: `load under revision ${rel.revision}` });
      }
    } finally {
      stopping = true;
      await Promise.all(workers);
    }
    const elapsed = Date.now() - started;

    // Zero failed requests.
    const failed = results.filter((r) => r.status !== 200 ||
      (r.streaming && (!r.done || r.error || r.readError || r.trailing.length)) ||
      (!r.streaming && !r.json?.choices?.[0]?.message));
    assert.deepEqual(failed.map((r) => ({ status: r.status, text: r.text, error: r.error,
      done: r.done, readError: r.readError?.message })), [], 'no load request failed');

    // Every response names the version its snapshot's release designates.
    const misrouted = results.filter((r) => stableAt.get(r.revision) !== r.version);
    assert.deepEqual(misrouted.map((r) => `${r.version}@${r.revision}`), [],
      'each response is served by the stable version of its config revision');

    const seen = new Set(results.map((r) => r.revision));
    for (const rev of stableAt.keys()) {
      if (rev !== first.revision) assert.ok(seen.has(rev), `load ran under revision ${rev}`);
    }
    const byVersion = { v1: 0, v2: 0 };
    for (const r of results) byVersion[r.version] += 1;
    const streams = results.filter((r) => r.streaming).length;
    assert.ok(streams > 100 && results.length - streams > 100,
      `a real load: ${streams} streams, ${results.length - streams} plain calls`);
    assert.ok(byVersion.v1 > 50 && byVersion.v2 > 50, `both versions served: ${
      JSON.stringify(byVersion)}`);

    // After the last flip (a rollback) and with the load gone, the model still serves v1.
    const last = await chat(M, { maxTokens: 1 });
    assert.equal(last.status, 200);
    assert.equal(last.version, 'v1');
    assert.equal(last.revision, sequential.at(-1).rel.revision);
    t.diagnostic(`100 flips in ${elapsed} ms; load: ${results.length} requests ` +
      `(${streams} streams) under ${seen.size} config revisions, ${JSON.stringify(byVersion)}`);
  });

test('force offline of a canary cuts its running calls; stable is untouched; online restores',
  async () => {
    const M = 'cut-canary';
    await createModel(M, ['v1', 'v2']);
    await action(M, 'promote', { version: 'v1' });
    await action(M, 'canary', { version: 'v2', percent: 0, groups: ['beta'] });

    // The beta key goes to the v2 canary; the admin key (no group, 0%) to stable v1.
    const onV2 = await openStream(M, { key: BETA_KEY, maxTokens: LONG });
    assert.equal(onV2.version, 'v2', 'the beta key streams from the canary');
    const plainV2 = chat(M, { key: BETA_KEY, maxTokens: LONG });
    await waitInFlight(2);
    const onV1 = await openStream(M, { maxTokens: MEDIUM });
    assert.equal(onV1.version, 'v1', 'the admin key streams from stable');

    const rel = await action(M, 'offline', { version: 'v2', force: true });
    const actionAt = Date.now();
    assert.deepEqual(rel.offline, ['v2']);
    assert.deepEqual(rel.canaries, [], "v2's canary rule is dropped");
    assert.equal(rel.stable, 'v1');

    expectCut(await onV2.rest, actionAt, 'the stream on v2');
    const plain = await plainV2;
    assert.equal(plain.status, 503, `the running non-streamed call on v2: ${plain.text}`);
    expectOfflineError(plain.json?.error, 'the running non-streamed call on v2');
    assert.ok(plain.at - actionAt < 3000, `non-streamed call cut at once (${plain.at - actionAt} ms)`);
    assert.equal(plain.version, 'v2', 'the 503 names the version that was cut');

    // The stream on stable v1 is untouched.
    expectFinished(await onV1.rest, actionAt, 'the stream on v1');

    // New requests of the canary's group go to stable now.
    for (const stream of [false, true]) {
      const r = stream ? await chatStream(M, { key: BETA_KEY }) : await chat(M, { key: BETA_KEY });
      assert.equal(r.status, 200, `beta after the cut (stream ${stream}): ${r.text}`);
      assert.equal(r.version, 'v1', `beta is served by stable after the cut (stream ${stream})`);
      if (stream) assert.ok(r.done && !r.error, 'a stream from stable ends with [DONE]');
    }

    // online takes v2 off the offline list; once it is a canary again it serves.
    const up = await action(M, 'online', { version: 'v2' });
    assert.deepEqual(up.offline, []);
    assert.equal((await chat(M, { key: BETA_KEY })).version, 'v1',
      'online alone does not bring back the dropped canary rule');
    await action(M, 'canary', { version: 'v2', percent: 0, groups: ['beta'] });
    const back = await chatStream(M, { key: BETA_KEY, maxTokens: 20 });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.version, 'v2', 'v2 serves its canary group again');
    assert.ok(back.done && !back.error, 'and its streams end with [DONE]');
    const plainBack = await chat(M, { key: BETA_KEY });
    assert.equal(plainBack.status, 200, plainBack.text);
    assert.equal(plainBack.version, 'v2');
  });

test('force offline of the stable version cuts its calls; the model answers 503 until online',
  async () => {
    const M = 'cut-stable';
    await createModel(M, ['v1']);
    await action(M, 'promote', { version: 'v1' });

    const s = await openStream(M, { maxTokens: LONG });
    assert.equal(s.version, 'v1');
    const plainCall = chat(M, { maxTokens: LONG });
    await waitInFlight(2);

    const rel = await action(M, 'offline', { version: 'v1', force: true });
    const actionAt = Date.now();
    assert.deepEqual(rel.offline, ['v1']);
    assert.equal(rel.stable, 'v1', 'the stable version stays named (and offline)');

    expectCut(await s.rest, actionAt, 'the stream on stable v1');
    const plain = await plainCall;
    assert.equal(plain.status, 503, plain.text);
    expectOfflineError(plain.json?.error, 'the running non-streamed call on stable v1');

    // New requests: 503 (no version serves), streamed or not.
    const down = await chat(M);
    assert.equal(down.status, 503, `a new call to a model whose stable is offline: ${down.text}`);
    assert.ok(down.json?.error?.code, `an OpenAI error: ${down.text}`);
    const downStream = await chatRequest(M, { stream: true });
    const downText = await downStream.text();
    assert.equal(downStream.status, 503, `a new stream: ${downText}`);

    const up = await action(M, 'online', { version: 'v1' });
    assert.deepEqual(up.offline, []);
    assert.equal(up.revision > rel.revision, true);
    const after = await chatStream(M, { maxTokens: 20 });
    assert.equal(after.status, 200, after.text);
    assert.equal(after.version, 'v1');
    assert.equal(after.revision, up.revision, 'served under the online action\'s revision');
    assert.ok(after.done && !after.error, 'streams work again');
    assert.equal((await chat(M)).status, 200);
  });

test('graceful offline lets running calls finish: of a canary, and of a former stable',
  async () => {
    const M = 'drain-m';
    await createModel(M, ['v1', 'v2']);
    await action(M, 'promote', { version: 'v1' });
    await action(M, 'canary', { version: 'v2', percent: 0, groups: ['beta'] });

    // Graceful offline of the canary while a stream and a non-streamed call run on it.
    const onV2 = await openStream(M, { key: BETA_KEY, maxTokens: MEDIUM });
    assert.equal(onV2.version, 'v2');
    const plainV2 = chat(M, { key: BETA_KEY, maxTokens: MEDIUM });
    await waitInFlight(2);
    const rel = await action(M, 'offline', { version: 'v2' });
    const actionAt = Date.now();
    assert.deepEqual(rel.offline, ['v2']);
    assert.deepEqual(rel.canaries, []);
    // Meanwhile new requests of the group go to stable.
    const meanwhile = await chat(M, { key: BETA_KEY });
    assert.equal(meanwhile.status, 200);
    assert.equal(meanwhile.version, 'v1', 'new requests no longer reach the offline version');
    assert.ok(meanwhile.at < actionAt + (MEDIUM / TPS) * 1000 - 200,
      'checked while the calls on v2 still ran');
    expectFinished(await onV2.rest, actionAt, 'the stream on the gracefully offlined canary');
    const plain = await plainV2;
    assert.equal(plain.status, 200, `the non-streamed call on v2 finishes: ${plain.text}`);
    assert.equal(plain.version, 'v2');
    assert.equal(plain.json.choices[0].finish_reason, 'length');
    assert.equal(plain.json.usage.completion_tokens, MEDIUM);
    assert.ok(plain.at > actionAt + 200, 'the non-streamed call ran past the action');

    // Graceful offline of the stable version is refused (promote or roll back first), and
    // changes nothing.
    const refused = await admin('POST', `/admin/v1/models/${M}/release/offline`,
      { version: 'v1', force: false });
    assert.equal(refused.status, 409, `graceful offline of stable: ${refused.text}`);
    assert.equal((await adminOk('GET', `/admin/v1/models/${M}/release`)).stable, 'v1');

    // Promote v2 (back online) while a stream runs on v1, then take v1 offline gracefully:
    // the stream finishes.
    await action(M, 'online', { version: 'v2' });
    const onV1 = await openStream(M, { maxTokens: MEDIUM });
    assert.equal(onV1.version, 'v1');
    const promoted = await action(M, 'promote', { version: 'v2' });
    assert.equal(promoted.stable, 'v2');
    assert.equal(promoted.previous_stable, 'v1');
    const off = await action(M, 'offline', { version: 'v1' });
    const offAt = Date.now();
    assert.deepEqual(off.offline, ['v1']);
    const next = await chat(M);
    assert.equal(next.version, 'v2', 'new requests go to the new stable');
    expectFinished(await onV1.rest, offAt, 'the stream on the former stable');
  });
