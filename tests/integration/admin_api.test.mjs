// The admin REST API (/admin/v1, docs/admin-api.md) against a running plinth: authorisation,
// models, immutable versions and their endpoints, releases and what the data plane does with
// them, history, statistics and declarative apply.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { adminRequest, readBody } from '../e2e/lib/admin.mjs';
import { startPlinth, TEST_KEY } from '../e2e/lib/plinth.mjs';
import { scrape, sum } from '../e2e/lib/prometheus.mjs';
import { waitUntil } from '../e2e/lib/wait.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const OPENAPI_FILE = path.resolve(here, '../../src/admin/openapi.json');

const APP_KEY = 'sk-app-0123456789abcdef0123';  // a user (non-admin) key in group "beta"
const SECRET = 'sk-upstream-secret-do-not-echo-7f3a9c';
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LOOPBACK_URL = 'http://127.0.0.1:9/v1';
const ALICE_KEY = 'sk-alice-0123456789abcdef0123';  // a key whose identity is user alice  // loopback: allowed, nothing listens

let plinth;
before(async () => {
  plinth = await startPlinth({
    config: {
      api_keys: [{ name: 'app', key: APP_KEY, groups: ['beta'] },
        { name: 'alice-app', key: ALICE_KEY, user: 'alice' }],
      models: [{ name: 'cfg-declared', aliases: ['cfg-alias'], provider: 'simulator' }],
    },
  });
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
});

// One request: `body` an object (sent as JSON) or a string (sent as is, still labelled JSON).
// Returns {status, headers, text, json}; every answer's text is kept for the secret check.
const answers = [];
async function api(method, urlPath, options = {}) {
  const res = await adminRequest(plinth.url, method, urlPath, options);
  answers.push(`${method} ${urlPath} -> ${res.status} ${[...res.headers].join(' ')}\n${res.text}`);
  return res;
}

const get = (p, opts) => api('GET', p, opts);
const post = (p, body, opts = {}) => api('POST', p, { ...opts, body });
const enc = encodeURIComponent;

function expectStatus(res, status, what = '') {
  assert.equal(res.status, status, `${what} status ${res.status}: ${res.text}`);
  return res.json;
}

// An error answer in the OpenAI shape with the given status; returns the inner error.
function expectError(res, status, what = '') {
  expectStatus(res, status, what);
  const err = res.json?.error;
  assert.ok(err && typeof err === 'object', `${what} OpenAI error body: ${res.text}`);
  for (const field of ['message', 'type', 'param', 'code']) {
    assert.ok(field in err, `${what} error.${field} present: ${res.text}`);
  }
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, `${what} error.message is not empty`);
  return err;
}

// ETag: "<revision>" of a single-record answer.
function expectEtag(res, revision) {
  const etag = res.headers.get('etag');
  assert.ok(etag, `ETag header present: ${[...res.headers].join(' ')}`);
  assert.equal(etag, `"${revision}"`, 'ETag is the quoted revision');
  return etag;
}

// A body naming a version the model does not have: the spec's 404 is for unknown
// models/versions; a 400 naming the field is also a fair reading for a reference in a body.
function expectUnknownVersion(res, param) {
  assert.ok([400, 404].includes(res.status), `unknown version: ${res.status} ${res.text}`);
  const err = expectError(res, res.status);
  if (res.status === 400) assert.equal(err.param, param);
  return err;
}

function expectList(res) {
  const body = expectStatus(res, 200, 'list');
  assert.equal(body.object, 'list');
  assert.ok(Array.isArray(body.data), 'data is an array');
  assert.ok('next_cursor' in body, 'next_cursor present');
  assert.ok(body.next_cursor === null || typeof body.next_cursor === 'string');
  return body;
}

// Follows next_cursor with ?limit=; returns every item and the number of pages.
async function walk(listPath, limit) {
  const items = [];
  let cursor = null;
  let pages = 0;
  for (;;) {
    const q = `limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`;
    const page = expectList(await get(`${listPath}?${q}`));
    pages += 1;
    assert.ok(page.data.length <= limit, `page ${pages} has at most ${limit} items`);
    items.push(...page.data);
    if (page.next_cursor === null) break;
    assert.ok(pages < 1000, 'pagination ends');
    cursor = page.next_cursor;
  }
  return { items, pages };
}

async function createModel(spec) {
  const res = await post('/admin/v1/models', spec);
  const model = expectStatus(res, 201, `create model ${spec.name}`);
  return model;
}

async function createVersion(model, spec) {
  const res = await post(`/admin/v1/models/${enc(model)}/versions`, spec);
  return expectStatus(res, 201, `create version ${model}/${spec.name}`);
}

// One short chat call through the data plane. Returns {status, version, configRevision, json}.
async function chat(model, { key = TEST_KEY, user } = {}) {
  const body = { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 };
  if (user !== undefined) body.user = user;
  const res = await fetch(`${plinth.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const { text, json } = await readBody(res);
  return {
    status: res.status,
    version: res.headers.get('x-plinth-model-version'),
    configRevision: res.headers.get('x-plinth-config-revision'),
    text,
    json,
  };
}

// ---------------------------------------------------------------------------------------------
// Authorisation and the document

test('admin routes need the admin key: none or wrong is 401, a user key is 403', async () => {
  for (const [what, key] of [['no key', null], ['wrong key', 'sk-wrong-0123456789abcdef'],
    ['admin key plus a suffix', `${TEST_KEY}x`]]) {
    for (const p of ['/admin/v1/models', '/admin/v1/releases', '/admin/v1/models/x/versions']) {
      const err = expectError(await get(p, { key }), 401, `${what} ${p}`);
      assert.equal(err.code, 'invalid_api_key', `${what}: code`);
    }
    expectError(await post('/admin/v1/models', { name: 'by-nobody' }, { key }), 401, what);
  }
  for (const p of ['/admin/v1/models', '/admin/v1/releases']) {
    const err = expectError(await get(p, { key: APP_KEY }), 403, `user key ${p}`);
    assert.equal(err.code, 'permission_denied');
  }
  expectError(await post('/admin/v1/models', { name: 'by-app' }, { key: APP_KEY }), 403);
  expectError(await post('/admin/v1/apply', { models: [{ name: 'by-app' }] }, { key: APP_KEY }),
    403);
  // Nothing was written by the refused requests.
  expectError(await get('/admin/v1/models/by-nobody'), 404);
  expectError(await get('/admin/v1/models/by-app'), 404);
  // The admin key itself works, and the user key still works on the data plane.
  expectList(await get('/admin/v1/models'));
  const res = await fetch(`${plinth.url}/v1/models`, {
    headers: { authorization: `Bearer ${APP_KEY}` } });
  assert.equal(res.status, 200, 'the user key lists /v1/models');
  await res.arrayBuffer();
});

test('openapi.json is readable without a key and is the source document', async () => {
  const res = await get('/admin/v1/openapi.json', { key: null });
  const doc = expectStatus(res, 200, 'openapi.json without a key');
  assert.match(res.headers.get('content-type') || '', /application\/json/);
  assert.match(doc.openapi, /^3\.1\./);
  assert.ok(doc.paths['/admin/v1/models'], 'lists /admin/v1/models');
  assert.ok(doc.paths['/admin/v1/models'].get && doc.paths['/admin/v1/models'].post);
  assert.deepEqual(doc, JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8')),
    'the served document is src/admin/openapi.json');
  // With a user key it is still readable (no authorisation at all).
  expectStatus(await get('/admin/v1/openapi.json', { key: APP_KEY }), 200);
});

test('unknown admin routes are 404, wrong methods 405', async () => {
  expectError(await get('/admin/v1/nothing-here'), 404);
  const err = expectError(await api('DELETE', '/admin/v1/releases'), 405, 'DELETE releases');
  assert.equal(err.code, 'method_not_allowed');
  expectError(await api('PUT', '/admin/v1/models'), 405, 'PUT models');
});

// ---------------------------------------------------------------------------------------------
// Models

test('models: create, read by name and alias, conflicts, validation', async () => {
  const spec = { name: 'crud-a', aliases: ['crud-a-alias'], description: 'first',
    task_tags: ['chat', 'test'], owner: 'ml-platform' };
  const res = await post('/admin/v1/models', spec);
  const model = expectStatus(res, 201, 'create');
  for (const [k, v] of Object.entries(spec)) assert.deepEqual(model[k], v, `model.${k}`);
  assert.ok(Number.isInteger(model.id), 'id is an integer');
  assert.ok(Number.isInteger(model.revision) && model.revision > 0, 'revision');
  assert.match(model.created_at, TIMESTAMP);
  assert.match(model.updated_at, TIMESTAMP);
  expectEtag(res, model.revision);

  const byName = await get('/admin/v1/models/crud-a');
  assert.deepEqual(expectStatus(byName, 200, 'get by name'), model);
  expectEtag(byName, model.revision);
  const byAlias = await get('/admin/v1/models/crud-a-alias');
  assert.deepEqual(expectStatus(byAlias, 200, 'get by alias'), model);

  // Names and aliases share one namespace, config models included.
  const conflicts = [
    { name: 'crud-a' },
    { name: 'crud-a-alias' },
    { name: 'crud-b', aliases: ['crud-a'] },
    { name: 'crud-b', aliases: ['crud-a-alias'] },
    { name: 'cfg-declared' },
    { name: 'cfg-alias' },
    { name: 'crud-b', aliases: ['cfg-alias'] },
  ];
  for (const c of conflicts) {
    expectError(await post('/admin/v1/models', c), 409, `conflict ${JSON.stringify(c)}`);
  }
  expectError(await get('/admin/v1/models/crud-b'), 404, 'no conflicting create was written');

  // Invalid names: param names the field.
  for (const name of ['', 'has space', 'semi;colon', 'ünïcode', 'x'.repeat(129)]) {
    const err = expectError(await post('/admin/v1/models', { name }), 400, `name ${name}`);
    assert.equal(err.param, 'name', `param for name ${JSON.stringify(name)}`);
  }
  const longName = `A.b_c:d/e-${'x'.repeat(118)}`;
  expectStatus(await post('/admin/v1/models', { name: longName }), 201,
    'every allowed character, 128 characters');
  assert.equal(expectStatus(await get(`/admin/v1/models/${enc(longName)}`), 200,
    'a name with "/" is addressed as %2F').name, longName);
  const badAlias = expectError(await post('/admin/v1/models', { name: 'crud-c', aliases: ['a b'] }),
    400, 'bad alias');
  assert.match(String(badAlias.param), /^aliases/, 'param names the alias');
  const missing = expectError(await post('/admin/v1/models', { description: 'no name' }), 400);
  assert.equal(missing.param, 'name');

  // Unknown fields are refused and named.
  const unknown = expectError(await post('/admin/v1/models', { name: 'crud-c', nmae: 'typo' }), 400,
    'unknown field');
  assert.equal(unknown.param, 'nmae');
  assert.ok(unknown.message.includes('nmae'), 'the message names the field');
  // Non-JSON and wrongly typed bodies.
  expectError(await post('/admin/v1/models', 'not json {'), 400, 'non-JSON body');
  expectError(await post('/admin/v1/models', '[1,2]'), 400, 'a JSON array');
  const typed = expectError(await post('/admin/v1/models', { name: 'crud-c', aliases: 'x' }), 400);
  assert.match(String(typed.param), /^aliases/);
  expectError(await get('/admin/v1/models/crud-c'), 404, 'none of the refused creates was written');
});

test('models: PATCH honours If-Match; DELETE is refused while versions exist', async () => {
  const created = await createModel({ name: 'patch-m', description: 'one' });
  const r0 = created.revision;

  // The right If-Match: applied, new revision and ETag.
  const ok = await api('PATCH', '/admin/v1/models/patch-m',
    { body: { description: 'two', task_tags: ['x'] }, headers: { 'if-match': `"${r0}"` } });
  const m1 = expectStatus(ok, 200, 'PATCH with current If-Match');
  assert.equal(m1.description, 'two');
  assert.deepEqual(m1.task_tags, ['x']);
  assert.equal(m1.name, 'patch-m', 'absent fields keep their value');
  assert.ok(m1.revision > r0, 'revision moves on');
  expectEtag(ok, m1.revision);
  assert.notEqual(ok.headers.get('etag'), `"${r0}"`);

  // A stale If-Match: 412 and nothing changes.
  const stale = await api('PATCH', '/admin/v1/models/patch-m',
    { body: { description: 'three', owner: 'someone' }, headers: { 'if-match': `"${r0}"` } });
  expectError(stale, 412, 'stale If-Match');
  const after412 = expectStatus(await get('/admin/v1/models/patch-m'), 200);
  assert.deepEqual(after412, m1, 'a refused PATCH changed nothing');

  // Quotes are optional; no If-Match applies to the current record.
  const unquoted = await api('PATCH', '/admin/v1/models/patch-m',
    { body: { owner: 'team-a' }, headers: { 'if-match': String(m1.revision) } });
  const m2 = expectStatus(unquoted, 200, 'unquoted If-Match');
  assert.equal(m2.owner, 'team-a');
  const m3 = expectStatus(await api('PATCH', '/admin/v1/models/patch-m',
    { body: { aliases: ['patch-alias'] } }), 200, 'PATCH without If-Match');
  assert.deepEqual(m3.aliases, ['patch-alias']);
  assert.equal(expectStatus(await get('/admin/v1/models/patch-alias'), 200).name, 'patch-m');

  // PATCH validates like create.
  const bad = expectError(await api('PATCH', '/admin/v1/models/patch-m', { body: { colour: 1 } }),
    400, 'unknown field in PATCH');
  assert.equal(bad.param, 'colour');
  expectError(await api('PATCH', '/admin/v1/models/patch-m', { body: { aliases: ['crud-a'] } }),
    409, 'PATCH onto a taken alias');
  expectError(await api('PATCH', '/admin/v1/models/no-such-model', { body: { owner: 'x' } }), 404);

  // DELETE: refused while a version exists, then 204 and gone.
  await createVersion('patch-m', { name: 'v1', provider: 'simulator' });
  expectError(await api('DELETE', '/admin/v1/models/patch-m'), 409, 'delete with versions');
  expectStatus(await get('/admin/v1/models/patch-m'), 200, 'still there');
  const delVersion = await api('DELETE', '/admin/v1/models/patch-m/versions/v1');
  assert.equal(delVersion.status, 204, `delete version: ${delVersion.text}`);
  const current = expectStatus(await get('/admin/v1/models/patch-m'), 200);
  expectError(await api('DELETE', '/admin/v1/models/patch-m',
    { headers: { 'if-match': `"${r0}"` } }), 412, 'DELETE with a stale If-Match');
  const del = await api('DELETE', '/admin/v1/models/patch-m',
    { headers: { 'if-match': `"${current.revision}"` } });
  assert.equal(del.status, 204, `delete: ${del.text}`);
  assert.equal(del.text, '', '204 has no body');
  expectError(await get('/admin/v1/models/patch-m'), 404, 'deleted');
  expectError(await get('/admin/v1/models/patch-alias'), 404, 'its alias is gone too');
  expectError(await api('DELETE', '/admin/v1/models/patch-m'), 404, 'deleting twice');
});

test('models: 404 for unknown models on every model route', async () => {
  for (const p of ['/admin/v1/models/no-such', '/admin/v1/models/no-such/versions',
    '/admin/v1/models/no-such/versions/v1', '/admin/v1/models/no-such/release',
    '/admin/v1/models/no-such/history', '/admin/v1/models/no-such/stats']) {
    expectError(await get(p), 404, p);
  }
  expectError(await post('/admin/v1/models/no-such/versions',
    { name: 'v1', provider: 'simulator' }), 404);
  expectError(await post('/admin/v1/models/no-such/release/promote', { version: 'v1' }), 404);
});

test('models: pagination with limit=2 walks every model exactly once', async () => {
  for (let i = 0; i < 5; i++) await createModel({ name: `page-${i}` });
  const all = expectList(await get('/admin/v1/models?limit=1000'));
  assert.equal(all.next_cursor, null, 'one page holds them all');
  const names = all.data.map((m) => m.name);
  for (let i = 0; i < 5; i++) assert.ok(names.includes(`page-${i}`), `page-${i} listed`);

  const { items, pages } = await walk('/admin/v1/models', 2);
  const walked = items.map((m) => m.name);
  assert.equal(new Set(walked).size, walked.length, `no model twice: ${walked}`);
  assert.deepEqual([...walked].sort(), [...names].sort(), 'the walk sees every model');
  assert.ok(pages >= Math.ceil(names.length / 2), `${pages} pages of at most 2`);

  // Default limit is 100 (there are fewer models): no cursor.
  assert.equal(expectList(await get('/admin/v1/models')).next_cursor, null);
  for (const q of ['limit=0', 'limit=5000', 'limit=1001', 'limit=-1', 'limit=abc']) {
    expectError(await get(`/admin/v1/models?${q}`), 400, q);
  }
  expectList(await get('/admin/v1/models?limit=1'));
  expectList(await get('/admin/v1/models?limit=1000'));
});

async function dataPlaneModels() {
  const res = await fetch(`${plinth.url}/v1/models`, {
    headers: { authorization: `Bearer ${TEST_KEY}` } });
  const body = await res.json();
  assert.equal(res.status, 200);
  return body.data.map((m) => m.id);
}

test('a model released through the admin API is listed by /v1/models at once', async () => {
  await createModel({ name: 'listed-now', aliases: ['listed-now-alias'] });
  await createVersion('listed-now', { name: 'v1', provider: 'simulator' });
  expectStatus(await post('/admin/v1/models/listed-now/release/promote', { version: 'v1' }), 200);
  assert.ok((await dataPlaneModels()).includes('listed-now'), 'listed right after the promote');
  const res = await chat('listed-now-alias');
  assert.equal(res.status, 200, `served by alias at once: ${res.text}`);
  const del = await api('DELETE', '/admin/v1/models/listed-now/release');
  assert.equal(del.status, 204, del.text);
  assert.ok(!(await dataPlaneModels()).includes('listed-now'), 'gone right after DELETE release');
});

// /v1/models lists what can be called: a model without a release serves nothing, so it is not
// listed (docs/admin-api.md, "Models"), and a chat to it is model_not_found.
test('a bare model (no release) is not listed by /v1/models and cannot be called', async () => {
  await createModel({ name: 'listed-bare' });
  const ids = await dataPlaneModels();
  assert.ok(!ids.includes('listed-bare'), `not listed: ${ids}`);
  const res = await chat('listed-bare');
  assert.equal(res.status, 404, res.text);
});

// ---------------------------------------------------------------------------------------------
// Versions and endpoints

test('versions: create with endpoints; the endpoint key never comes back', async () => {
  await createModel({ name: 'ver-m' });
  const sim = await createVersion('ver-m', { name: 'v1', provider: 'simulator',
    release_notes: 'first', default_params: { temperature: 0.5 } });
  assert.equal(sim.model, 'ver-m');
  assert.equal(sim.name, 'v1');
  assert.equal(sim.provider, 'simulator');
  assert.equal(sim.upstream_model, 'ver-m', 'upstream_model defaults to the model name');
  assert.deepEqual(sim.default_params, { temperature: 0.5 });
  assert.deepEqual(sim.endpoints, []);
  assert.equal(typeof sim.created_by, 'string');
  assert.ok(sim.created_by.length > 0, 'created_by');
  assert.match(sim.created_at, TIMESTAMP);
  assert.ok(Number.isInteger(sim.revision));

  const spec = { name: 'v2', provider: 'openai', upstream_model: 'Qwen/Qwen2.5-7B-Instruct',
    max_params: { max_tokens: 4096 }, source: 'hf://Qwen/Qwen2.5-7B-Instruct',
    endpoints: [{ url: LOOPBACK_URL, weight: 3, api_key: SECRET },
      { url: 'http://10.0.0.5:8000/v1' }] };
  const res = await post('/admin/v1/models/ver-m/versions', spec);
  const v2 = expectStatus(res, 201, 'openai version');
  expectEtag(res, v2.revision);
  assert.equal(v2.upstream_model, 'Qwen/Qwen2.5-7B-Instruct');
  assert.deepEqual(v2.max_params, { max_tokens: 4096 });
  assert.equal(v2.endpoints.length, 2);
  const [e1, e2] = v2.endpoints;
  assert.equal(e1.url, LOOPBACK_URL);
  assert.equal(e1.weight, 3);
  assert.equal(e1.has_api_key, true);
  assert.equal(e2.weight, 1, 'weight defaults to 1');
  assert.equal(e2.has_api_key, false);
  for (const e of v2.endpoints) {
    assert.ok(Number.isInteger(e.id));
    assert.ok(!('api_key' in e), 'no api_key field in an endpoint');
    assert.match(e.created_at, TIMESTAMP);
  }

  // Reads of every kind.
  const got = await get('/admin/v1/models/ver-m/versions/v2');
  assert.deepEqual(expectStatus(got, 200), v2);
  expectEtag(got, v2.revision);
  const list = expectList(await get('/admin/v1/models/ver-m/versions'));
  assert.deepEqual(list.data.map((v) => v.name).sort(), ['v1', 'v2']);
  const eps = expectList(await get('/admin/v1/models/ver-m/versions/v2/endpoints'));
  assert.equal(eps.data.length, 2);

  // Endpoint routes: add, change, remove the key.
  const added = await post('/admin/v1/models/ver-m/versions/v2/endpoints',
    { url: 'https://gpu.internal:8443/v1', weight: 0, api_key: SECRET });
  const e3 = expectStatus(added, 201, 'add endpoint');
  assert.equal(e3.has_api_key, true);
  assert.equal(e3.weight, 0, 'weight 0 (drained) is allowed');
  expectEtag(added, e3.revision);
  const epPath = `/admin/v1/models/ver-m/versions/v2/endpoints/${e3.id}`;
  const w = expectStatus(await api('PATCH', epPath, { body: { weight: 7 } }), 200);
  assert.equal(w.weight, 7);
  assert.equal(w.has_api_key, true, 'no api_key field keeps the key');
  expectError(await api('PATCH', epPath, { body: { weight: 8 },
    headers: { 'if-match': `"${e3.revision}"` } }), 412, 'stale If-Match on an endpoint');
  const cleared = expectStatus(await api('PATCH', epPath, { body: { api_key: null } }), 200);
  assert.equal(cleared.has_api_key, false, 'api_key: null removes the key');
  assert.equal(cleared.weight, 7);
  const replaced = expectStatus(await api('PATCH', epPath, { body: { api_key: `${SECRET}-2` } }),
    200);
  assert.equal(replaced.has_api_key, true, 'a string sets the key');
  for (const weight of [-1, 1001, 1.5, '3']) {
    const err = expectError(await api('PATCH', epPath, { body: { weight } }), 400,
      `weight ${weight}`);
    assert.equal(err.param, 'weight');
  }
  const unk = expectError(await api('PATCH', epPath, { body: { wieght: 1 } }), 400);
  assert.equal(unk.param, 'wieght');
  const del = await api('DELETE', epPath);
  assert.equal(del.status, 204, `delete endpoint: ${del.text}`);
  expectError(await api('DELETE', epPath), 404, 'endpoint gone');
  expectError(await api('PATCH', '/admin/v1/models/ver-m/versions/v2/endpoints/999999',
    { body: { weight: 1 } }), 404, 'unknown endpoint id');

  // The key never appears in anything the server answered, nor in its output.
  for (const text of answers) {
    assert.ok(!text.includes(SECRET), `the endpoint key leaked in:\n${text.slice(0, 500)}`);
  }
  assert.ok(!plinth.stdout().includes(SECRET), 'the key is not in stdout');
  assert.ok(!plinth.stderr().includes(SECRET), 'the key is not in stderr');
});

test('versions: immutable, unique, validated', async () => {
  await createModel({ name: 'imm-m' });
  const v1 = await createVersion('imm-m', { name: 'v1', provider: 'simulator' });
  for (const method of ['PATCH', 'PUT']) {
    const err = expectError(await api(method, '/admin/v1/models/imm-m/versions/v1',
      { body: { release_notes: 'changed' } }), 405, `${method} a version`);
    assert.equal(err.code, 'method_not_allowed');
  }
  assert.deepEqual(expectStatus(await get('/admin/v1/models/imm-m/versions/v1'), 200), v1,
    'unchanged');
  expectError(await post('/admin/v1/models/imm-m/versions', { name: 'v1', provider: 'simulator' }),
    409, 'duplicate version name');
  expectError(await post('/admin/v1/models/imm-m/versions',
    { name: 'v1', provider: 'openai', upstream_model: 'other',
      endpoints: [{ url: LOOPBACK_URL }] }), 409, 'duplicate name, other content');

  const bogus = expectError(await post('/admin/v1/models/imm-m/versions',
    { name: 'v2', provider: 'bogus' }), 400, 'unknown provider');
  assert.equal(bogus.param, 'provider');
  const noProvider = expectError(await post('/admin/v1/models/imm-m/versions', { name: 'v2' }),
    400);
  assert.equal(noProvider.param, 'provider');
  const badName = expectError(await post('/admin/v1/models/imm-m/versions',
    { name: 'v 2', provider: 'simulator' }), 400);
  assert.equal(badName.param, 'name');
  const unknown = expectError(await post('/admin/v1/models/imm-m/versions',
    { name: 'v2', provider: 'simulator', provder: 'x' }), 400);
  assert.equal(unknown.param, 'provder');
  const noUrl = expectError(await post('/admin/v1/models/imm-m/versions',
    { name: 'v2', provider: 'openai', endpoints: [{ weight: 1 }] }), 400, 'endpoint without url');
  assert.equal(noUrl.param, 'endpoints[0].url');
  const simEndpoints = expectError(await post('/admin/v1/models/imm-m/versions',
    { name: 'v2', provider: 'simulator', endpoints: [{ url: LOOPBACK_URL }] }), 400,
  'a simulator takes no endpoints');
  assert.match(String(simEndpoints.param), /^endpoints/);
  const epKey = expectError(await post('/admin/v1/models/imm-m/versions',
    { name: 'v2', provider: 'openai', endpoints: [{ url: LOOPBACK_URL, secret: 1 }] }), 400);
  assert.equal(epKey.param, 'endpoints[0].secret');
  expectError(await get('/admin/v1/models/imm-m/versions/v2'), 404, 'nothing refused was written');
});

test('versions: endpoint URLs in refused classes are 400; loopback is accepted', async () => {
  await createModel({ name: 'ssrf-m' });
  const refused = [
    'http://169.254.169.254/v1',
    'http://169.254.10.1:8000/v1',
    'http://[fe80::1]/v1',
    'http://0.0.0.0:8000/v1',
    'http://[::]/v1',
    'http://[::ffff:169.254.169.254]/v1',
    'http://100.100.100.200/v1',
    'ftp://x',
    'file:///etc/passwd',
    'http://user:pw@host/v1',
    'http://user@host/v1',
    'not a url',
  ];
  let i = 0;
  for (const url of refused) {
    i += 1;
    const err = expectError(await post('/admin/v1/models/ssrf-m/versions',
      { name: `r${i}`, provider: 'openai', endpoints: [{ url }] }), 400, `version with ${url}`);
    assert.equal(err.param, 'endpoints[0].url', `param for ${url}`);
  }
  expectList(await get('/admin/v1/models/ssrf-m/versions')).data.forEach((v) => {
    assert.fail(`a refused version was written: ${v.name}`);
  });

  const ok = await createVersion('ssrf-m', { name: 'ok', provider: 'openai',
    endpoints: [{ url: LOOPBACK_URL }] });
  assert.equal(ok.endpoints[0].url, LOOPBACK_URL);
  const tgi = await createVersion('ssrf-m', { name: 'tgi', provider: 'tgi',
    endpoints: [{ url: 'http://127.0.0.1:9' }] });
  assert.equal(tgi.provider, 'tgi');

  // The endpoint routes check the same way.
  for (const url of refused) {
    const err = expectError(await post('/admin/v1/models/ssrf-m/versions/ok/endpoints', { url }),
      400, `endpoint ${url}`);
    assert.equal(err.param, 'url', `param for ${url}`);
  }
  const epId = ok.endpoints[0].id;
  const patched = expectError(await api('PATCH',
    `/admin/v1/models/ssrf-m/versions/ok/endpoints/${epId}`,
    { body: { url: 'http://169.254.169.254/v1' } }), 400, 'PATCH to a metadata address');
  assert.equal(patched.param, 'url');
  const eps = expectList(await get('/admin/v1/models/ssrf-m/versions/ok/endpoints'));
  assert.deepEqual(eps.data.map((e) => e.url), [LOOPBACK_URL], 'only the accepted endpoint');
});

// ---------------------------------------------------------------------------------------------
// Releases, the data plane, history and statistics

test('releases: actions drive the data plane; history and stats follow', async (t) => {
  const M = 'rel-m';
  const R = `/admin/v1/models/${M}/release`;
  await createModel({ name: M, aliases: ['rel-alias'] });
  for (const v of ['v1', 'v2', 'v3']) await createVersion(M, { name: v, provider: 'simulator' });
  const done = [];  // actions that succeeded, oldest first
  const served = {};  // version -> successful chat calls
  let failedCalls = 0;
  async function call(opts = {}) {
    const r = await chat(opts.model || M, opts);
    if (r.status === 200) served[r.version] = (served[r.version] || 0) + 1;
    else failedCalls += 1;
    return r;
  }
  async function action(name, body, status = 200) {
    const res = await post(`${R}/${name}`, body);
    if (status !== 200) return expectError(res, status, `${name} ${JSON.stringify(body)}`);
    const rel = expectStatus(res, 200, `${name} ${JSON.stringify(body)}`);
    expectEtag(res, rel.revision);
    done.push(name);
    return rel;
  }
  const release = async () => expectStatus(await get(R), 200, 'GET release');
  const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
  async function assign(list, opts = {}) {
    const out = {};
    for (let i = 0; i < list.length; i += 25) {
      const batch = await Promise.all(list.slice(i, i + 25).map((user) => call({ ...opts, user })));
      batch.forEach((r, j) => {
        assert.equal(r.status, 200, `chat as ${list[i + j]}: ${r.text}`);
        out[list[i + j]] = r.version;
      });
    }
    return out;
  }

  await t.test('no release yet: 404', async () => {
    expectError(await get(R), 404);
  });

  let rel;
  await t.test('promote creates the release and the data plane serves it', async () => {
    rel = await action('promote', { version: 'v1' });
    assert.equal(rel.model, M);
    assert.equal(rel.stable, 'v1');
    assert.ok(rel.previous_stable === null || rel.previous_stable === undefined ||
      rel.previous_stable === '', `no previous_stable yet: ${rel.previous_stable}`);
    assert.deepEqual(rel.canaries, []);
    assert.equal(rel.state, 'active');
    assert.deepEqual(rel.offline, []);
    assert.match(rel.updated_by, /^key_[0-9a-f]+$/);
    assert.match(rel.updated_at, TIMESTAMP);
    const got = await get(R);
    assert.deepEqual(expectStatus(got, 200), rel);
    expectEtag(got, rel.revision);
    const listed = expectList(await get('/admin/v1/releases'));
    assert.ok(listed.data.some((r) => r.model === M && r.stable === 'v1'), 'in /releases');

    for (const model of [M, 'rel-alias']) {
      const r = await call({ model, user: 'first' });
      assert.equal(r.status, 200, `chat to ${model}: ${r.text}`);
      assert.equal(r.version, 'v1', 'x-plinth-model-version');
      assert.ok(r.configRevision, 'x-plinth-config-revision present');
      assert.match(r.configRevision, /^\d+$/);
      assert.ok(Number(r.configRevision) >= rel.revision,
        `admitted under a snapshot at least as new as the release (${r.configRevision} >= ` +
        `${rel.revision})`);
    }
  });

  let at10;
  let at30;
  await t.test('canary 10%: visible, a sticky share of callers', async () => {
    rel = await action('canary', { version: 'v2', percent: 10 });
    assert.equal(rel.stable, 'v1');
    assert.equal(rel.canaries.length, 1);
    assert.equal(rel.canaries[0].version, 'v2');
    assert.equal(rel.canaries[0].percent, 10);
    assert.deepEqual(await release(), rel);

    at10 = await assign(users);
    const onV2 = users.filter((u) => at10[u] === 'v2');
    assert.ok(users.every((u) => ['v1', 'v2'].includes(at10[u])), 'only v1 and v2 serve');
    assert.ok(onV2.length >= 5 && onV2.length <= 45, `about 10% on v2: ${onV2.length}/200`);
    const again = await assign(users.slice(0, 60));
    for (const u of users.slice(0, 60)) assert.equal(again[u], at10[u], `${u} is sticky`);
  });

  await t.test('growing a canary only moves callers from stable to the canary', async () => {
    rel = await action('canary', { version: 'v2', percent: 30 });
    assert.equal(rel.canaries[0].percent, 30);
    at30 = await assign(users);
    for (const u of users) {
      if (at10[u] === 'v2') assert.equal(at30[u], 'v2', `${u} stays on the canary`);
    }
    const n = users.filter((u) => at30[u] === 'v2').length;
    assert.ok(n > users.filter((u) => at10[u] === 'v2').length, 'more callers on v2');
    assert.ok(n >= 35 && n <= 85, `about 30% on v2: ${n}/200`);
  });

  await t.test('a group canary takes its group whatever its percent', async () => {
    rel = await action('canary', { version: 'v3', percent: 0, groups: ['beta'] });
    assert.equal(rel.canaries.length, 2);
    const c3 = rel.canaries.find((c) => c.version === 'v3');
    assert.equal(c3.percent, 0);
    assert.deepEqual(c3.match.groups, ['beta']);
    const app = await call({ key: APP_KEY });
    assert.equal(app.status, 200, app.text);
    assert.equal(app.version, 'v3', 'the beta key goes to v3');
    const u = users.find((x) => at30[x] === 'v1');
    const admin = await call({ user: u });
    assert.equal(admin.version, 'v1', 'a caller outside the group and the shares stays on v1');
  });

  await t.test('percents summing over 100 are refused and change nothing', async () => {
    const before = await release();
    const err = await action('canary', { version: 'v3', percent: 71 }, 400);
    const put = expectError(await api('PUT', R, { body: { stable: 'v1', canaries: [
      { version: 'v2', percent: 60 }, { version: 'v3', percent: 50 }] } }), 400, 'PUT > 100');
    for (const percent of [-1, 101]) {
      const e = await action('canary', { version: 'v2', percent }, 400);
      assert.match(String(e.param), /^(canaries\[\d+\]\.)?percent$/, `percent ${percent}`);
    }
    expectUnknownVersion(await post(`${R}/canary`, { version: 'nope', percent: 1 }), 'version');
    assert.deepEqual(await release(), before, 'the release did not change');
    // `param` names the field at fault: a canary's percent ("canaries[0].percent" in the
    // spec), not the whole list.
    assert.match(String(err.param), /^(canaries\[\d+\]\.)?percent$/,
      `canary action: param names the canary percent: ${err.param}`);
    assert.match(String(put.param), /^canaries\[[01]\]\.percent$/,
      `PUT: param names a canary's percent: ${put.param}`);
  });

  await t.test('pause sends everyone to stable; resume restores the canaries', async () => {
    expectError(await post(`${R}/pause`, {}, { headers: { 'if-match': '"1"' } }), 412,
      'stale If-Match on an action');
    assert.equal((await release()).state, 'active', 'the refused pause changed nothing');
    rel = await action('pause', {});
    assert.equal(rel.state, 'paused');
    const canaryUsers = users.filter((u) => at10[u] === 'v2').slice(0, 10);
    const paused = await assign(canaryUsers);
    for (const u of canaryUsers) assert.equal(paused[u], 'v1', `${u} on stable while paused`);
    assert.equal((await call({ key: APP_KEY })).version, 'v1', 'group canary paused too');
    rel = await action('resume', {});
    assert.equal(rel.state, 'active');
    const resumed = await assign(canaryUsers);
    for (const u of canaryUsers) assert.equal(resumed[u], 'v2', `${u} back on the canary`);
  });

  await t.test('promote a canary, then roll back', async () => {
    rel = await action('promote', { version: 'v2' });
    assert.equal(rel.stable, 'v2');
    assert.equal(rel.previous_stable, 'v1');
    assert.deepEqual(rel.canaries.map((c) => c.version), ['v3'], "v2's canary rule is dropped");
    const u = users.find((x) => at30[x] === 'v1');
    assert.equal((await call({ user: u })).version, 'v2');
    rel = await action('rollback', {});
    assert.equal(rel.stable, 'v1');
    assert.deepEqual(rel.canaries, [], 'rollback clears the canaries');
    assert.equal((await call({ user: u })).version, 'v1');
    assert.equal((await call({ key: APP_KEY })).version, 'v1');
  });

  await t.test('offline: graceful refuses stable; force takes it; online restores', async () => {
    const before = await release();
    const err = await post(`${R}/offline`, { version: 'v1' });
    expectError(err, err.status, 'graceful offline of stable');
    assert.ok(err.status >= 400 && err.status < 500, `refused: ${err.status}`);
    const err2 = await post(`${R}/offline`, { version: 'v1', force: false });
    assert.ok(err2.status >= 400 && err2.status < 500, `force:false refused: ${err2.status}`);
    assert.deepEqual(await release(), before, 'refused offline changed nothing');

    rel = await action('offline', { version: 'v2' });
    assert.deepEqual(rel.offline, ['v2']);
    assert.equal(rel.stable, 'v1');
    rel = await action('offline', { version: 'v1', force: true });
    assert.ok(rel.offline.includes('v1') && rel.offline.includes('v2'), `${rel.offline}`);
    const down = await call({ user: 'first' });
    expectError({ status: down.status, json: down.json, text: down.text }, 503,
      'chat to a model whose stable is offline');

    rel = await action('online', { version: 'v1' });
    assert.deepEqual(rel.offline, ['v2']);
    const up = await call({ user: 'first' });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.version, 'v1');
    // 412 is for a stale If-Match (none was sent); refusing the stable version is a 400 or a
    // 409 (checked last so the rest of the sequence runs).
    assert.ok([400, 409].includes(err.status), `graceful offline of stable: ${err.status} ` +
      `(${err.text})`);
    assert.ok([400, 409].includes(err2.status), `force:false offline of stable: ${err2.status}`);
  });

  await t.test('history lists every action, newest first', async () => {
    const hist = expectList(await get(`/admin/v1/models/${M}/history`));
    const current = await release();
    // The history names actions as the route does; a forced offline may say so.
    assert.deepEqual(hist.data.map((e) => e.action.replace(/^offline-force$/, 'offline')),
      [...done].reverse(), 'one event per successful action, newest first');
    for (let i = 0; i < hist.data.length; i++) {
      const e = hist.data[i];
      assert.ok(Number.isInteger(e.id));
      assert.match(e.actor, /^key_[0-9a-f]+$/, `actor of ${e.action}`);
      assert.match(e.at, TIMESTAMP);
      assert.ok(e.after && typeof e.after === 'object', `after is a Release (${e.action})`);
      if (i + 1 < hist.data.length) {
        assert.ok(e.before && typeof e.before === 'object', `before is a Release (${e.action})`);
        assert.ok(e.revision > hist.data[i + 1].revision, 'revisions fall going back');
        assert.ok(e.at >= hist.data[i + 1].at, 'times fall going back');
        assert.deepEqual(e.before, hist.data[i + 1].after, 'each before is the previous after');
      }
    }
    const oldest = hist.data.at(-1);
    assert.equal(oldest.action, 'promote');
    assert.equal(oldest.before, null, 'the first promote created the release');
    assert.equal(oldest.after.stable, 'v1');
    assert.equal(hist.data[0].action, 'online');
    assert.ok(hist.data[0].before.offline.includes('v1'));
    assert.deepEqual(hist.data[0].after, current, 'the newest after is the current release');

    const { items } = await walk(`/admin/v1/models/${M}/history`, 3);
    assert.deepEqual(items.map((e) => e.id), hist.data.map((e) => e.id), 'paged the same');
  });

  await t.test('stats count the calls per version', async () => {
    const SP = `/admin/v1/models/${M}/stats?window=1h`;
    const versionsOf = (s) => Object.fromEntries(s.versions.map((v) => [v.version, v]));
    const stats = await waitUntil(async () => {
      const s = expectStatus(await get(SP), 200);
      const by = versionsOf(s);
      return Object.entries(served).every(([v, n]) => by[v] && by[v].calls >= n) ? s : null;
    }, { timeoutMs: 15000, intervalMs: 200, what: `stats to reach ${JSON.stringify(served)}` });
    assert.equal(stats.model, M);
    assert.match(stats.from, TIMESTAMP);
    assert.match(stats.to, TIMESTAMP);
    assert.ok(stats.from < stats.to);
    const by = versionsOf(stats);
    assert.equal(by.v2.calls, served.v2, 'v2 calls');
    assert.equal(by.v3.calls, served.v3, 'v3 calls');
    assert.ok(by.v1.calls >= served.v1 && by.v1.calls <= served.v1 + failedCalls,
      `v1 calls ${by.v1.calls}, served ${served.v1} (+${failedCalls} refused)`);
    const bounds = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
    for (const v of Object.values(by)) {
      assert.equal(v.errors, v.version === 'v1' ? v.errors : 0, `${v.version} errors`);
      assert.ok(v.error_rate >= 0 && v.error_rate <= 1);
      if (v.calls > 0) {
        assert.ok(Math.abs(v.error_rate - v.errors / v.calls) < 1e-9, 'error_rate');
        for (const q of ['p50', 'p90', 'p99']) {
          assert.ok(bounds.includes(v.latency_ms[q]), `${v.version} ${q} = ${v.latency_ms[q]}`);
        }
        assert.ok(v.latency_ms.p50 <= v.latency_ms.p90 && v.latency_ms.p90 <= v.latency_ms.p99);
        assert.ok(v.tokens_in > 0, `${v.version} tokens_in`);
        assert.ok(v.tokens_out > 0, `${v.version} tokens_out`);
      }
    }

    const vs = expectStatus(await get(`/admin/v1/models/${M}/versions/v2/stats?window=15m`), 200);
    assert.equal(vs.version, 'v2');
    assert.equal(vs.calls, served.v2);
    assert.ok(Array.isArray(vs.series));
    assert.equal(vs.series.reduce((a, p) => a + p.calls, 0), vs.calls, 'series adds up');
    for (const p of vs.series) assert.match(p.at, TIMESTAMP);

    for (const w of ['5m', '6h', '24h', '7d', '30d', '90m']) {
      expectStatus(await get(`/admin/v1/models/${M}/stats?window=${w}`), 200, `window ${w}`);
    }
    for (const w of ['31d', '0m', 'abc', '1w', '-1h', '1.5h']) {
      expectError(await get(`/admin/v1/models/${M}/stats?window=${w}`), 400, `window ${w}`);
    }
  });

  await t.test('a version in the release cannot be deleted; DELETE release stops serving',
    async () => {
      expectError(await api('DELETE', `/admin/v1/models/${M}/versions/v1`), 409,
        'delete the stable version');
      expectError(await api('DELETE', `/admin/v1/models/${M}`), 409, 'delete the model');
      const del = await api('DELETE', R);
      assert.equal(del.status, 204, del.text);
      expectError(await get(R), 404, 'no release after DELETE');
      const r = await chat(M);
      assert.notEqual(r.status, 200, 'the model stops serving');
      const dv = await api('DELETE', `/admin/v1/models/${M}/versions/v3`);
      assert.equal(dv.status, 204, `delete v3 once unused: ${dv.text}`);
    });
});

test('PUT release: 201 when created, 200 when replaced, If-Match honoured', async () => {
  await createModel({ name: 'put-m' });
  for (const v of ['a', 'b']) await createVersion('put-m', { name: v, provider: 'simulator' });
  const R = '/admin/v1/models/put-m/release';
  const created = await api('PUT', R, { body: { stable: 'a', canaries: [
    { version: 'b', percent: 25, match: { users: ['alice'] } }] } });
  const rel = expectStatus(created, 201, 'PUT creates');
  expectEtag(created, rel.revision);
  assert.equal(rel.stable, 'a');
  assert.equal(rel.canaries[0].percent, 25);
  assert.deepEqual(rel.canaries[0].match.users, ['alice']);
  const alice = await chat('put-m', { key: ALICE_KEY });
  assert.equal(alice.version, 'b', 'a user match (the key\'s user) goes to the canary');

  expectError(await api('PUT', R, { body: { stable: 'b' },
    headers: { 'if-match': `"${rel.revision - 1}"` } }), 412);
  const replaced = await api('PUT', R, { body: { stable: 'b', state: 'paused' },
    headers: { 'if-match': `"${rel.revision}"` } });
  const rel2 = expectStatus(replaced, 200, 'PUT replaces');
  assert.equal(rel2.stable, 'b');
  assert.equal(rel2.state, 'paused');
  assert.deepEqual(rel2.canaries, []);
  expectUnknownVersion(await api('PUT', R, { body: { stable: 'zzz' } }), 'stable');
  const unknownField = expectError(await api('PUT', R,
    { body: { stable: 'a', stabel: 'b' } }), 400);
  assert.equal(unknownField.param, 'stabel');
  const badState = expectError(await api('PUT', R,
    { body: { stable: 'a', state: 'asleep' } }), 400);
  assert.equal(badState.param, 'state');
});

// ---------------------------------------------------------------------------------------------
// Apply

test('apply: idempotent, atomic, dry_run writes nothing', async () => {
  const doc = { models: [{
    name: 'apply-m', aliases: ['apply-alias'], description: 'declared', task_tags: ['chat'],
    versions: [
      { name: 'v1', provider: 'simulator' },
      { name: 'v2', provider: 'openai', upstream_model: 'qwen2.5',
        endpoints: [{ url: LOOPBACK_URL, weight: 1, api_key: SECRET }] },
    ],
    release: { stable: 'v1', canaries: [{ version: 'v2', percent: 10,
      match: { groups: ['beta'] } }] },
  }, { name: 'apply-n', versions: [{ name: 'v1', provider: 'simulator' }],
    release: { stable: 'v1' } }] };

  // dry_run: reported, not written.
  const dry = expectStatus(await post('/admin/v1/apply?dry_run=true', doc), 200, 'dry run');
  assert.equal(dry.dry_run, true);
  const count = (changes, kind) => changes.filter((c) => c.kind === kind).length;
  assert.deepEqual(['model', 'version', 'endpoint', 'release'].map((k) => count(dry.changes, k)),
    [2, 3, 1, 2], `changes reported: ${JSON.stringify(dry.changes)}`);
  assert.ok(dry.changes.every((c) => c.change === 'created'), JSON.stringify(dry.changes));
  for (const c of dry.changes) {
    assert.ok(['model', 'version', 'endpoint', 'release'].includes(c.kind), c.kind);
    assert.equal(typeof c.name, 'string');
  }
  expectError(await get('/admin/v1/models/apply-m'), 404, 'dry_run wrote no model');
  expectError(await get('/admin/v1/models/apply-n'), 404, 'dry_run wrote no model');

  // First apply: everything created.
  const first = expectStatus(await post('/admin/v1/apply', doc), 200, 'apply');
  assert.equal(first.dry_run, false);
  const kinds = new Set(first.changes.map((c) => c.kind));
  for (const k of ['model', 'version', 'endpoint', 'release']) assert.ok(kinds.has(k), k);
  assert.ok(first.changes.every((c) => c.change === 'created'), JSON.stringify(first.changes));
  assert.ok(first.changes.some((c) => c.kind === 'version' && c.name === 'apply-m/v2'),
    'version names are model/version');
  assert.deepEqual(first.changes.map((c) => [c.kind, c.name]).sort(),
    dry.changes.map((c) => [c.kind, c.name]).sort(), 'dry_run reported the same changes');
  const m = expectStatus(await get('/admin/v1/models/apply-alias'), 200);
  assert.equal(m.description, 'declared');
  const v2 = expectStatus(await get('/admin/v1/models/apply-m/versions/v2'), 200);
  assert.equal(v2.upstream_model, 'qwen2.5');
  assert.equal(v2.endpoints[0].has_api_key, true);
  const rel = expectStatus(await get('/admin/v1/models/apply-m/release'), 200);
  assert.equal(rel.stable, 'v1');
  assert.equal(rel.canaries[0].version, 'v2');
  const served = await chat('apply-n');
  assert.equal(served.status, 200, served.text);
  assert.equal(served.version, 'v1', 'an applied release serves at once');

  // Second apply: every change unchanged, and nothing moved.
  const second = expectStatus(await post('/admin/v1/apply', doc), 200, 'apply again');
  assert.ok(second.changes.length > 0);
  assert.ok(second.changes.every((c) => c.change === 'unchanged'), JSON.stringify(second.changes));
  assert.deepEqual(expectStatus(await get('/admin/v1/models/apply-m'), 200), m,
    'the model did not move');
  assert.deepEqual(expectStatus(await get('/admin/v1/models/apply-m/release'), 200), rel,
    'the release did not move');
  const dryAgain = expectStatus(await post('/admin/v1/apply?dry_run=true', doc), 200);
  assert.ok(dryAgain.changes.every((c) => c.change === 'unchanged'));

  // A changed model and a new model, next to a version that differs: 409, nothing written.
  const conflicting = { models: [
    { name: 'apply-m', description: 'changed', versions: [
      { name: 'v1', provider: 'simulator' },
      { name: 'v2', provider: 'openai', upstream_model: 'qwen3',
        endpoints: [{ url: LOOPBACK_URL, weight: 1 }] }] },
    { name: 'apply-o', versions: [{ name: 'v1', provider: 'simulator' }],
      release: { stable: 'v1' } },
  ] };
  expectError(await post('/admin/v1/apply', conflicting), 409, 'a version with other content');
  expectError(await get('/admin/v1/models/apply-o'), 404, 'the new model was not written');
  assert.deepEqual(expectStatus(await get('/admin/v1/models/apply-m'), 200), m,
    'the changed model was not written');
  // Reordered so the conflict comes last: still nothing written.
  expectError(await post('/admin/v1/apply', { models: [...conflicting.models].reverse() }), 409);
  expectError(await get('/admin/v1/models/apply-o'), 404, 'atomic whatever the order');

  // A real update: reported as such.
  const upd = expectStatus(await post('/admin/v1/apply', { models: [
    { name: 'apply-m', description: 'changed' }] }), 200);
  assert.deepEqual(upd.changes, [{ kind: 'model', name: 'apply-m', change: 'updated' }]);
  assert.equal(expectStatus(await get('/admin/v1/models/apply-m'), 200).description, 'changed');
  // Nothing the document does not name is deleted.
  expectStatus(await get('/admin/v1/models/apply-m/versions/v2'), 200);
  expectStatus(await get('/admin/v1/models/apply-m/release'), 200);

  // Validation like the other routes.
  const bad = expectError(await post('/admin/v1/apply', { models: [{ name: 'apply-p',
    versions: [{ name: 'v1', provider: 'openai',
      endpoints: [{ url: 'http://169.254.169.254/v1' }] }] }] }), 400);
  assert.match(String(bad.param), /url$/, `param: ${bad.param}`);
  const unk = expectError(await post('/admin/v1/apply', { modles: [] }), 400);
  assert.equal(unk.param, 'modles');
  expectError(await get('/admin/v1/models/apply-p'), 404);

  for (const text of answers) {
    assert.ok(!text.includes(SECRET), `the endpoint key leaked in:\n${text.slice(0, 500)}`);
  }

  // A dry_run spelled another way than "true" must never write: either it is a dry run too,
  // or it is refused.
  const other = { models: [{ name: 'apply-q' }] };
  for (const v of ['1', 'yes', 'TRUE', 'on']) {
    const res = await post(`/admin/v1/apply?dry_run=${v}`, other);
    if (res.status === 400) {
      assert.equal(res.json?.error?.param, 'dry_run', `dry_run=${v} refused, naming it`);
    } else {
      assert.equal(expectStatus(res, 200, `dry_run=${v}`).dry_run, true,
        `dry_run=${v} is a dry run`);
    }
    expectError(await get('/admin/v1/models/apply-q'), 404, `dry_run=${v} wrote nothing`);
  }
  const written = expectStatus(await post('/admin/v1/apply?dry_run=false', other), 200);
  assert.equal(written.dry_run, false);
  expectStatus(await get('/admin/v1/models/apply-q'), 200, 'dry_run=false writes');
});

// ---------------------------------------------------------------------------------------------
// Found in review: inputs that once broke a version, renamed a model or wiped a key.

test('version parameter rules are checked when the version is created', async () => {
  await createModel({ name: 'params-m' });
  const bad = [
    [{ max_params: { max_tokens: 50.5 } }, 'max_params.max_tokens'],
    [{ max_params: { temperature: 'hot' } }, 'max_params.temperature'],
    [{ default_params: { max_tokens: 0 } }, 'default_params.max_tokens'],
    [{ default_params: { temperature: 3 } }, 'default_params.temperature'],
    [{ default_params: { messages: [] } }, 'default_params.messages'],
  ];
  for (const [extra, param] of bad) {
    const res = await api('POST', '/admin/v1/models/params-m/versions',
      { body: { name: 'v1', provider: 'simulator', ...extra } });
    const err = expectError(res, 400, JSON.stringify(extra));
    assert.equal(err.param, param);
  }
  // A valid cap is applied: the simulator answers at most max_tokens tokens.
  await createVersion('params-m', { name: 'v1', provider: 'simulator',
    upstream_model: 'sim-chat', max_params: { max_tokens: 3 } });
  expectStatus(await api('POST', '/admin/v1/models/params-m/release/promote',
    { body: { version: 'v1' } }), 200);
  const res = await fetch(`${plinth.url}/v1/chat/completions`, { method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'params-m', max_tokens: 500,
      messages: [{ role: 'user', content: 'tell me a long story' }] }) });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.ok(body.usage.completion_tokens <= 3, `capped: ${body.usage.completion_tokens}`);
});

test('apply refuses to rename a model through its alias or take a config name as alias',
  async () => {
    await createModel({ name: 'alias-owner', aliases: ['alias-x'] });
    const renamed = await api('POST', '/admin/v1/apply',
      { body: { models: [{ name: 'alias-x', description: 'new' }] } });
    expectError(renamed, 409, 'apply by alias');
    expectStatus(await api('GET', '/admin/v1/models/alias-owner'), 200, 'still named');
    const taken = await api('POST', '/admin/v1/apply',
      { body: { models: [{ name: 'alias-y', aliases: ['cfg-declared'] }] } });
    assert.equal(expectError(taken, 409, 'config alias').param, 'models[0].aliases[0]');
  });

test('apply keeps an endpoint key and weight the document does not give', async () => {
  const doc = (endpoint) => ({ models: [{ name: 'keep-m', versions: [{ name: 'v1',
    provider: 'openai', endpoints: [endpoint] }] }] });
  expectStatus(await api('POST', '/admin/v1/apply',
    { body: doc({ url: LOOPBACK_URL, weight: 0, api_key: 'sk-upstream-secret' }) }), 200);
  const again = await api('POST', '/admin/v1/apply', { body: doc({ url: LOOPBACK_URL }) });
  const changes = expectStatus(again, 200).changes;
  assert.ok(changes.every((c) => c.change === 'unchanged'), JSON.stringify(changes));
  const v = expectStatus(await api('GET', '/admin/v1/models/keep-m/versions/v1'), 200);
  assert.equal(v.endpoints[0].has_api_key, true, 'the key is kept');
  assert.equal(v.endpoints[0].weight, 0, 'the drain is kept');
});

test('PUT release refuses versions that cannot serve or are offline', async () => {
  await createModel({ name: 'put-check' });
  await createVersion('put-check', { name: 'a', provider: 'simulator' });
  await createVersion('put-check', { name: 'noep', provider: 'openai' });
  const R = '/admin/v1/models/put-check/release';
  const res = await api('PUT', R, { body: { stable: 'a',
    canaries: [{ version: 'noep', percent: 100 }] } });
  assert.equal(expectError(res, 400, 'canary without endpoints').param, 'canaries[0].version');
});

test('a stats window too large to hold is refused, not wrapped around', async () => {
  await createModel({ name: 'window-m' });
  const res = await api('GET', '/admin/v1/models/window-m/stats?window=307445734561825861m');
  assert.equal(expectError(res, 400).param, 'window');
});

test('a body that is not declared as JSON is refused with 415', async () => {
  const res = await api('POST', '/admin/v1/models', { body: { name: 'form-m' },
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expectError(res, 415);
  expectError(await api('GET', '/admin/v1/models/form-m'), 404, 'nothing created');
});

test('endpoints list in pages like every other list', async () => {
  await createModel({ name: 'ep-pages' });
  await createVersion('ep-pages', { name: 'v1', provider: 'openai', endpoints: [
    { url: 'http://127.0.0.1:9/v1' }, { url: 'http://127.0.0.1:10/v1' },
    { url: 'http://127.0.0.1:11/v1' }] });
  const base = '/admin/v1/models/ep-pages/versions/v1/endpoints';
  const first = expectStatus(await api('GET', `${base}?limit=2`), 200);
  assert.equal(first.data.length, 2);
  assert.equal(typeof first.next_cursor, 'string');
  const second = expectStatus(await api('GET', `${base}?limit=2&cursor=${first.next_cursor}`), 200);
  assert.equal(second.data.length, 1);
  assert.equal(second.next_cursor, null);
  const urls = [...first.data, ...second.data].map((e) => e.url);
  assert.equal(new Set(urls).size, 3, `each endpoint once: ${urls}`);
  expectError(await api('GET', `${base}?limit=0`), 400);
  expectError(await api('GET', `${base}?cursor=abc`), 400);
});

test('Prometheus metrics split requests by the version that served them', async () => {
  await createModel({ name: 'metrics-m' });
  for (const v of ['s', 'c']) {
    await createVersion('metrics-m', { name: v, provider: 'simulator', upstream_model: 'sim-chat' });
  }
  const R = '/admin/v1/models/metrics-m/release';
  expectStatus(await api('POST', `${R}/promote`, { body: { version: 's' } }), 200);
  expectStatus(await api('POST', `${R}/canary`, { body: { version: 'c', groups: ['beta'] } }), 200);
  assert.equal((await chat('metrics-m')).version, 's');
  assert.equal((await chat('metrics-m', { key: APP_KEY })).version, 'c');
  // Metrics are recorded once the response has gone out: poll until both requests show.
  const served = async (version) => sum((await scrape(plinth.url)).samples,
    'plinth_requests_total', { model: 'metrics-m', version, status: '200' });
  await waitUntil(async () => (await served('s')) >= 1 && (await served('c')) >= 1,
    { timeoutMs: 3000, what: 'both versions counted' });
  for (const version of ['s', 'c']) {
    assert.equal(await served(version), 1, `one request served by ${version}`);
  }
});

test('a LoRA version asks the upstream for the adapter by name', async () => {
  await createModel({ name: 'lora-m' });
  const v = await createVersion('lora-m', { name: 'v1', provider: 'openai',
    base_model: 'Qwen/Qwen2.5-7B-Instruct', lora_adapter: 'support-bot',
    endpoints: [{ url: LOOPBACK_URL }] });
  assert.equal(v.upstream_model, 'support-bot');
  const res = await api('POST', '/admin/v1/models/lora-m/versions',
    { body: { name: 'v2', provider: 'openai', lora_adapter: 'x' } });
  assert.equal(expectError(res, 400).param, 'base_model');
});

test('every admin call is one line on the access log: who, what, the status', async () => {
  await createModel({ name: 'logged-m' });
  expectError(await api('GET', '/admin/v1/models/logged-m', { key: APP_KEY }), 403);
  const created = await plinth.waitForAccessLog((l) => l.type === 'admin' &&
    l.method === 'POST' && l.path === '/admin/v1/models' && l.status === 201);
  assert.match(created.key_id, /^key_[0-9a-f]{12}$/);
  assert.ok(created.latency_us >= 0);
  const refused = await plinth.waitForAccessLog((l) => l.type === 'admin' &&
    l.path === '/admin/v1/models/logged-m' && l.status === 403);
  assert.equal(refused.error, 'permission_denied');
  assert.ok(!plinth.stdout().includes(TEST_KEY) && !plinth.stdout().includes(APP_KEY),
    'no key in the log');
});
