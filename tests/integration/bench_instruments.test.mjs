// Smoke test of the benchmark instruments (bench/README.md): the mock upstream starts and
// answers, and the load generator drives it closed and open loop, plain and streaming, and
// reports valid JSON with the figures make bench reads. No timing is asserted: speed lives
// in make bench.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { withDeadline } from '../e2e/lib/wait.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const LOADGEN = process.env.PLINTH_LOADGEN_BIN ||
  path.resolve(here, '../../build/bench/plinth-loadgen');
const MOCK = process.env.PLINTH_MOCK_BIN ||
  path.resolve(here, '../../build/bench/plinth-mock-upstream');

let mock;
let mockUrl;
before(async () => {
  for (const bin of [LOADGEN, MOCK]) assert.ok(fs.existsSync(bin), `${bin} not built`);
  mock = spawn(MOCK, ['--listen', '127.0.0.1:0', '--chunks', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  mockUrl = await withDeadline(new Promise((resolve, reject) => {
    let out = '';
    mock.stdout.on('data', (d) => {
      out += d;
      const m = /mock-upstream listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    mock.on('exit', (code) => reject(new Error(`mock exited with ${code}`)));
  }), 10000, 'mock upstream start');
});
after(() => mock?.kill('SIGKILL'));

function loadgen(args) {
  const r = spawnSync(LOADGEN, ['--url', `${mockUrl}/v1/chat/completions`, ...args],
    { encoding: 'utf8', timeout: 30000 });
  return { status: r.status, stderr: r.stderr, json: r.status === 0 ? JSON.parse(r.stdout) : null };
}

test('closed loop: every request answered, figures reported', () => {
  const { status, stderr, json } = loadgen(['--mode', 'closed', '--connections', '4',
    '--duration', '0.5', '--upstream-stats', `${mockUrl}/stats`]);
  assert.equal(status, 0, stderr);
  assert.equal(json.mode, 'closed');
  assert.ok(json.requests > 0);
  assert.equal(json.errors.total, 0);
  assert.ok(json.latency_us.p50 > 0 && json.latency_us.p50 <= json.latency_us.max);
  // The mock's own counts over the run (a delta of /stats, so only roughly the load's).
  assert.ok(json.upstream.requests > 0, 'the mock reported the requests it served');
  assert.ok(json.upstream.cpu_s >= 0);
});

test('open loop, streaming, connections taken in turn: no chunk lost, pool held', () => {
  const { status, stderr, json } = loadgen(['--mode', 'open', '--rate', '200',
    '--duration', '0.5', '--stream', '--expect-chunks', '4', '--connections', '4',
    '--max-connections', '4', '--reuse', 'oldest']);
  assert.equal(status, 0, stderr);
  assert.ok(json.requests > 0);
  assert.equal(json.errors.total, 0);
  assert.equal(json.chunks, json.requests * 4);
  assert.equal(json.lost_chunks, 0);
  assert.equal(json.reordered_chunks, 0);
  assert.ok(json.ttfb_us.p50 > 0);
  // The four were opened up front and kept: none closed, none added.
  assert.equal(json.connections_opened, 4);
  assert.equal(json.peak_connections, 4);
});

test('a bad flag is refused with a message, not run', () => {
  const r = spawnSync(LOADGEN, ['--url', `${mockUrl}/v1/chat/completions`, '--reuse', 'sideways'],
    { encoding: 'utf8', timeout: 10000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--reuse must be newest or oldest/);
});
