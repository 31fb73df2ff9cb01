// plinthctl against a running gateway: the README session (a model with a simulator version
// and an OpenAI-compatible version served by a second plinth, promote, canary by share and by
// group, promote, rollback, history, stats), apply, JSON output and the documented exit codes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { TEST_KEY, chatBody, postJson, startPlinth } from './lib/plinth.mjs';
import { waitUntil, withDeadline } from './lib/wait.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLINTHCTL_BIN = process.env.PLINTHCTL_BIN ||
  path.resolve(here, '../../build/src/ctl/plinthctl');

const BETA_KEY = 'sk-beta-0123456789abcdef0123456789abcdef';
const MODEL = 'demo-chat';

let gateway;  // the plinth that plinthctl manages
let upstream;  // a second plinth serving sim-chat, v2's OpenAI-compatible endpoint

// Runs plinthctl against the gateway; resolves {code, stdout, stderr} (never rejects on a
// non-zero exit). `env` replaces variables; a null value removes one.
function plinthctl(args, { env = {}, input } = {}) {
  const childEnv = { ...process.env, PLINTH_URL: gateway?.url, PLINTH_ADMIN_KEY: TEST_KEY };
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete childEnv[k];
    else childEnv[k] = v;
  }
  const proc = spawn(PLINTHCTL_BIN, args,
    { env: childEnv, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  if (input !== undefined) {
    proc.stdin.on('error', () => {});  // plinthctl may exit before reading it all
    proc.stdin.end(input);
  }
  const done = new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return withDeadline(done, 40000, `for plinthctl ${args.join(' ')}`);
}

// Runs plinthctl and asserts it succeeded; returns stdout.
async function ok(args, options) {
  const r = await plinthctl(args, options);
  assert.equal(r.code, 0, `plinthctl ${args.join(' ')} exited ${r.code}\nstderr: ${r.stderr}`);
  return r.stdout;
}

// `-o json` output, parsed.
async function json(args, options) {
  return JSON.parse(await ok(['-o', 'json', ...args], options));
}

// One chat request through the gateway; resolves the version that served it.
async function servedBy({ user, key = TEST_KEY } = {}) {
  const res = await postJson(`${gateway.url}/v1/chat/completions`,
    chatBody(MODEL, { max_tokens: 2, ...(user ? { user } : {}) }), { key });
  const text = await res.text();
  assert.equal(res.status, 200, `chat request: ${res.status} ${text}`);
  return res.headers.get('x-plinth-model-version');
}

// Counts the versions that served `n` requests from distinct users, `width` at a time.
async function spread(n, { width = 20, prefix = 'user', key } = {}) {
  const counts = {};
  for (let start = 0; start < n; start += width) {
    const batch = Array.from({ length: Math.min(width, n - start) },
      (_, i) => servedBy({ user: `${prefix}-${start + i}`, key }));
    for (const version of await Promise.all(batch)) counts[version] = (counts[version] || 0) + 1;
  }
  return counts;
}

// A port nothing listens on.
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(async () => {
  if (!fs.existsSync(PLINTHCTL_BIN)) {
    throw new Error(`plinthctl not found at ${PLINTHCTL_BIN} (set PLINTHCTL_BIN or build first)`);
  }
  upstream = await startPlinth();  // the built-in sim-chat
  gateway = await startPlinth({
    config: { api_keys: [{ name: 'beta-app', key: BETA_KEY, groups: ['beta'] }] },
  });
});

after(async () => {
  await Promise.all([gateway?.stop(), upstream?.stop()]);
});

test('version and help need no server and no key', async () => {
  const env = { PLINTH_ADMIN_KEY: null, PLINTH_URL: 'http://127.0.0.1:1' };
  assert.match(await ok(['version'], { env }), /^plinthctl \d+\.\d+\.\d+\n$/);
  const help = await ok(['--help'], { env });
  assert.match(help, /exit codes:/);
  assert.match(await ok(['release', '--help'], { env }), /plinthctl release canary MODEL VERSION/);
  assert.match(await ok(['versions', 'create', '--help'], { env }), /--api-key-env VAR/);
});

test('exit codes: usage 2, no key 2, not found 4, unreachable 3', async () => {
  const usage = await plinthctl(['models', 'frobnicate']);
  assert.equal(usage.code, 2, usage.stderr);
  assert.equal((await plinthctl(['versions', 'create', MODEL, 'v9'])).code, 2, 'no --provider');

  const noKey = await plinthctl(['models', 'list'], { env: { PLINTH_ADMIN_KEY: null } });
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /PLINTH_ADMIN_KEY/);

  const unknown = await plinthctl(['models', 'get', 'no-such-model']);
  assert.equal(unknown.code, 4, unknown.stderr);
  assert.match(unknown.stderr, /HTTP 404/);

  const wrongKey = await plinthctl(['models', 'list'], { env: { PLINTH_ADMIN_KEY: 'sk-wrong' } });
  assert.equal(wrongKey.code, 1, wrongKey.stderr);
  assert.match(wrongKey.stderr, /HTTP 401/);

  const down = await plinthctl(['models', 'list'],
    { env: { PLINTH_URL: `http://127.0.0.1:${await closedPort()}` } });
  assert.equal(down.code, 3, down.stderr);
  assert.match(down.stderr, /cannot connect/);
});

test('create the model and its two versions', async () => {
  assert.match(await ok(['models', 'create', MODEL, '--alias', 'demo', '--tag', 'chat',
    '--description', 'the README demo']), /created model demo-chat/);
  await ok(['versions', 'create', MODEL, 'v1', '--provider', 'simulator',
    '--upstream-model', 'sim-chat', '--notes', 'simulated']);
  await ok(['versions', 'create', MODEL, 'v2', '--provider', 'openai', '--upstream-model',
    'sim-chat', '--endpoint', `${upstream.url}/v1,weight=2`, '--api-key-env', 'UPSTREAM_KEY',
    '--default-param', 'temperature=0.5'], { env: { UPSTREAM_KEY: TEST_KEY } });

  const taken = await plinthctl(['models', 'create', MODEL]);
  assert.equal(taken.code, 1, `a taken name is refused with 409: ${taken.stderr}`);
  assert.match(taken.stderr, /HTTP 409/);

  const models = await json(['models', 'list']);
  assert.equal(models.object, 'list');
  assert.ok(models.data.some((m) => m.name === MODEL && m.aliases.includes('demo')));
  assert.match(await ok(['models', 'list']), /^NAME +ALIASES/);

  const v2 = await json(['versions', 'get', 'demo', 'v2']);  // by alias
  assert.equal(v2.provider, 'openai');
  assert.equal(v2.endpoints.length, 1);
  assert.equal(v2.endpoints[0].weight, 2);
  assert.equal(v2.endpoints[0].has_api_key, true);
  assert.equal(JSON.stringify(v2).includes(TEST_KEY), false, 'the key is never returned');
  const versions = await ok(['versions', 'list', MODEL]);
  assert.match(versions, /^VERSION +PROVIDER/);
  assert.match(versions, /\nv1 +simulator +sim-chat/);
  const endpoints = await json(['endpoints', 'list', MODEL, 'v2']);
  assert.equal(endpoints.data[0].url, `${upstream.url}/v1`);
});

test('If-Match: a stale revision is refused with exit 1', async () => {
  const model = await json(['models', 'get', MODEL]);
  const updated = await json(['models', 'update', MODEL, '--owner', 'ml-platform',
    '--if-match', String(model.revision)]);
  assert.equal(updated.owner, 'ml-platform');
  assert.notEqual(updated.revision, model.revision);
  const stale = await plinthctl(['models', 'update', MODEL, '--owner', 'x',
    '--if-match', String(model.revision)]);
  assert.equal(stale.code, 1, stale.stderr);
  assert.match(stale.stderr, /HTTP 412/);
});

test('promote v1: requests are served by v1', async () => {
  const none = await plinthctl(['release', 'get', MODEL]);
  assert.equal(none.code, 4, 'no release yet: 404');
  assert.match(await ok(['release', 'promote', MODEL, 'v1']), /demo-chat: stable v1/);
  assert.equal(await servedBy(), 'v1');
  assert.equal((await json(['release', 'get', MODEL])).stable, 'v1');
});

test('canary 10%: about a tenth of distinct users land on v2', async () => {
  assert.match(await ok(['canary', MODEL, 'v2', '--percent', '10']),
    /stable v1, canary v2 10%/);
  const counts = await spread(200);
  const onV2 = counts.v2 || 0;
  assert.equal(onV2 + (counts.v1 || 0), 200, JSON.stringify(counts));
  assert.ok(onV2 >= 10 && onV2 <= 40, `v2 served ${onV2} of 200 (expected 5..20%)`);
  // Sticky: the same users land where they landed before.
  assert.deepEqual(await spread(40), await spread(40));
});

test('a group rule sends every request of a beta key to v2', async () => {
  await ok(['release', 'canary', MODEL, 'v2', '--percent', '10', '--group', 'beta']);
  const release = await json(['release', 'get', MODEL]);
  assert.deepEqual(release.canaries[0].match.groups, ['beta']);
  assert.deepEqual(await spread(20, { key: BETA_KEY, prefix: 'beta' }), { v2: 20 });
  assert.match(await ok(['release', 'list']), /demo-chat +active +v1 +v2 10% \(groups beta\)/);
});

test('promote v2, then roll back to v1', async () => {
  await ok(['promote', MODEL, 'v2']);
  assert.equal(await servedBy({ user: 'after-promote' }), 'v2');
  const promoted = await json(['release', 'get', MODEL]);
  assert.equal(promoted.stable, 'v2');
  assert.equal(promoted.previous_stable, 'v1');
  assert.deepEqual(promoted.canaries, []);

  assert.match(await ok(['rollback', MODEL]), /demo-chat: stable v1/);
  assert.equal(await servedBy({ user: 'after-rollback' }), 'v1');
});

test('history lists the actions newest first', async () => {
  const history = await json(['history', MODEL]);
  assert.deepEqual(history.data.map((h) => h.action),
    ['rollback', 'promote', 'canary', 'canary', 'promote']);
  const limited = await json(['history', MODEL, '--limit', '2']);
  assert.equal(limited.data.length, 2);
  const table = await ok(['history', MODEL]);
  assert.match(table, /^TIME +ACTION +ACTOR/);
  assert.match(table, /promote .* stable v1, canary v2 10% \(groups beta\) -> stable v2\n/);
  assert.match(table, /rollback .* stable v2 -> stable v1\n/);
  assert.match(table, /promote .* none -> stable v1\n$/);
});

test('stats count the calls per version', async () => {
  // Counts reach the store every 2 seconds.
  const stats = await waitUntil(async () => {
    const s = await json(['stats', MODEL, '--window', '1h']);
    const calls = s.versions.reduce((n, v) => n + v.calls, 0);
    return calls >= 300 ? s : null;
  }, { timeoutMs: 15000, intervalMs: 500, what: 'stats to count the calls' });
  const v2 = stats.versions.find((v) => v.version === 'v2');
  assert.ok(v2 && v2.calls > 0, JSON.stringify(stats));
  const table = await ok(['stats', MODEL]);
  assert.match(table, /VERSION +CALLS +ERRORS +ERROR RATE +P50 MS/);
  assert.match(table, /\nv1 +\d+ +0 +0\.00%/);
  const one = await json(['stats', MODEL, 'v1', '--window', '15m']);
  assert.equal(one.version, 'v1');
  assert.ok(Array.isArray(one.series));
});

test('apply -f: dry run, then created, then unchanged', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinthctl-apply-'));
  const file = path.join(dir, 'models.yaml');
  fs.writeFileSync(file, `# declared in YAML, sent as JSON
models:
  - name: apply-chat
    aliases: [apply]
    task_tags: [chat]
    description: "42"          # quoted: stays a string
    versions:
      - name: v1
        provider: simulator
        upstream_model: sim-chat
        default_params: {temperature: 0.7, max_tokens: 16}
      - name: v2
        provider: openai
        upstream_model: sim-chat
        endpoints:
          - url: ${upstream.url}/v1
            weight: 1
    release:
      stable: v1
      canaries:
        - version: v2
          percent: 5
          match: {groups: [beta]}
`);
  try {
    const dry = await ok(['apply', '-f', file, '--dry-run']);
    assert.match(dry, /^KIND +NAME +CHANGE\n/);
    assert.match(dry, /dry run/);
    assert.equal((await plinthctl(['models', 'get', 'apply-chat'])).code, 4, 'dry run wrote');

    const fromStdin = await json(['apply', '-f', '-', '--dry-run'],
      { input: fs.readFileSync(file, 'utf8') });
    assert.equal(fromStdin.dry_run, true);
    assert.ok(fromStdin.changes.every((c) => c.change === 'created'), JSON.stringify(fromStdin));

    const first = await json(['apply', '-f', file]);
    assert.equal(first.dry_run, false);
    assert.ok(first.changes.some((c) => c.kind === 'model' && c.change === 'created'));
    assert.ok(first.changes.some((c) => c.kind === 'release' && c.change !== 'unchanged'));
    assert.equal((await json(['models', 'get', 'apply'])).description, '42');

    const second = await ok(['apply', '-f', file]);
    const rows = second.trim().split('\n').slice(1, -1);
    assert.ok(rows.length >= 4, second);
    for (const row of rows) assert.match(row, / unchanged$/, second);
    assert.match(second, /\n\d+ unchanged\n$/);

    const release = await json(['release', 'get', 'apply-chat']);
    assert.equal(release.stable, 'v1');
    assert.equal(release.canaries[0].percent, 5);

    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'models: [\n');
    const refused = await plinthctl(['apply', '-f', bad]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /bad\.yaml: line \d+, column \d+/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('deletes: in use is refused (1), unused goes (0), then gone (4)', async () => {
  const inUse = await plinthctl(['versions', 'delete', MODEL, 'v1']);
  assert.equal(inUse.code, 1, `the stable version cannot be deleted: ${inUse.stderr}`);
  assert.match(inUse.stderr, /HTTP 409/);
  const [endpoint] = (await json(['endpoints', 'list', MODEL, 'v2'])).data;
  assert.match(await ok(['endpoints', 'set-weight', MODEL, 'v2', String(endpoint.id), '0']),
    /weight 0/);
  await ok(['endpoints', 'delete', MODEL, 'v2', String(endpoint.id)]);
  const gone = await plinthctl(['endpoints', 'delete', MODEL, 'v2', String(endpoint.id)]);
  assert.equal(gone.code, 4, gone.stderr);
});
