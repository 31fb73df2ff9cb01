// Starts `plinth serve` for one test: a free port, a fresh data directory, an optional config
// file, and a known admin key. Waits for the "plinth listening on http://..." line (never a
// sleep) and captures stdout/stderr, including the JSON access log, for assertions.

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { withDeadline } from './wait.mjs';

export const TEST_KEY = 'sk-plinth-test-0123456789abcdef0123456789abcdef';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PLINTH_BIN = process.env.PLINTH_BIN ||
  path.resolve(here, '../../../build/src/plinth');

const LISTENING = /plinth listening on (http:\/\/[^\s]+)/;
const live = new Set();

// Kill whatever a failed test left running, so no server outlives the test process.
process.on('exit', () => {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

// Options:
//   config     YAML text, or an object (written as JSON, which is YAML)
//   adminKey   PLINTH_ADMIN_KEY (default TEST_KEY); null leaves it unset
//   dataDir    reuse a directory (default: a fresh one, removed by stop())
//   env        extra environment variables
//   args       extra command-line arguments
//   startTimeoutMs  deadline for the listening line (default 20 s)
// Returns {url, port, key, proc, dataDir, configPath, stdout(), stderr(), lines,
// accessLog(), waitForLine(re), waitForAccessLog(pred), exited, stop(), kill(signal)}.
// An exit that neither stop() nor kill() asked for is reported on stderr.
export async function startPlinth({ config, adminKey = TEST_KEY, dataDir, env = {}, args = [],
  startTimeoutMs = 20000 } = {}) {
  if (!fs.existsSync(PLINTH_BIN)) {
    throw new Error(`plinth binary not found at ${PLINTH_BIN} (set PLINTH_BIN or build first)`);
  }
  const ownDataDir = !dataDir;
  const dir = dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-test-'));
  const argv = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir];
  let configPath = null;
  if (config !== undefined) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-config-'));
    configPath = path.join(scratch, 'plinth.yaml');
    const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
    fs.writeFileSync(configPath, text);
    argv.push('--config', configPath);
  }
  argv.push(...args);

  const childEnv = { ...process.env, ...env };
  if (adminKey === null) delete childEnv.PLINTH_ADMIN_KEY;
  else childEnv.PLINTH_ADMIN_KEY = adminKey;

  const proc = spawn(PLINTH_BIN, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  // A forgotten stop() must not keep the test process alive: the exit hook kills leftovers.
  proc.unref();
  proc.stdout.unref?.();
  proc.stderr.unref?.();
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const out = { stdout: '', stderr: '' };
  const lines = [];  // {stream, text, at}
  for (const stream of ['stdout', 'stderr']) {
    let partial = '';
    proc[stream].setEncoding('utf8');
    proc[stream].on('data', (data) => {
      out[stream] += data;
      partial += data;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = { stream, text: partial.slice(0, nl).replace(/\r$/, ''), at: Date.now() };
        partial = partial.slice(nl + 1);
        lines.push(line);
        events.emit('line', line);
      }
    });
  }
  let stopping = false;
  const exited = new Promise((resolve) => {
    // 'close' rather than 'exit': by then all of its output has been read.
    proc.on('close', (code, signal) => {
      live.delete(proc);
      if (!stopping) {
        // Tests then fail with ECONNREFUSED; say why.
        process.stderr.write(`plinth (pid ${proc.pid}) exited unexpectedly: code ${code}, ` +
          `signal ${signal}\n--- plinth stderr (tail) ---\n${out.stderr.slice(-3000)}\n---\n`);
      }
      resolve({ code, signal });
    });
  });
  const spawnError = new Promise((_, reject) => proc.on('error', reject));
  spawnError.catch(() => {});  // only start-up awaits it

  // Resolves with the first line (past or future) for which pred/regex matches.
  function waitForLine(match, timeoutMs = 5000, what = String(match)) {
    const test = typeof match === 'function' ? match : (l) => match.test(l.text);
    const found = lines.find(test);
    if (found) return Promise.resolve(found);
    let listener;
    const p = new Promise((resolve, reject) => {
      listener = (l) => {
        if (test(l)) resolve(l);
      };
      events.on('line', listener);
      exited.then(({ code, signal }) => reject(new Error(
        `plinth exited (code ${code}, signal ${signal}) while waiting for ${what}\n` +
        `stderr:\n${out.stderr.slice(-4000)}`)));
    });
    return withDeadline(p, timeoutMs, `waiting for plinth output ${what}`)
      .finally(() => events.off('line', listener));
  }

  function accessLog() {
    const records = [];
    for (const l of lines) {
      if (l.stream !== 'stdout' || !l.text.startsWith('{')) continue;
      try {
        const obj = JSON.parse(l.text);
        if (obj && typeof obj === 'object' && 'request_id' in obj) records.push(obj);
      } catch {
        // not an access log line
      }
    }
    return records;
  }

  // Resolves with the first access log record matching pred (e.g. by request_id).
  async function waitForAccessLog(pred, timeoutMs = 5000) {
    const line = await waitForLine((l) => {
      if (l.stream !== 'stdout' || !l.text.startsWith('{')) return false;
      try {
        const obj = JSON.parse(l.text);
        return obj && 'request_id' in obj && pred(obj);
      } catch {
        return false;
      }
    }, timeoutMs, 'an access log record');
    return JSON.parse(line.text);
  }

  let stopped = null;
  // SIGTERM (or `signal`), then await exit; returns the exit code (null when killed by a
  // signal). Kills with SIGKILL and throws when it does not exit within timeoutMs.
  function stop({ signal = 'SIGTERM', timeoutMs = 15000 } = {}) {
    if (stopped) return stopped;
    stopping = true;
    stopped = (async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      try {
        const { code } = await withDeadline(exited, timeoutMs, `for plinth to exit after ${signal}`);
        return code;
      } catch (err) {
        proc.kill('SIGKILL');
        await exited;
        throw err;
      } finally {
        if (configPath) fs.rmSync(path.dirname(configPath), { recursive: true, force: true });
        if (ownDataDir) fs.rmSync(dir, { recursive: true, force: true });
      }
    })();
    return stopped;
  }

  let url;
  try {
    const line = await Promise.race([
      waitForLine(LISTENING, startTimeoutMs, '"plinth listening on"'),
      spawnError,
    ]);
    url = LISTENING.exec(line.text)[1].replace(/\/+$/, '');
  } catch (err) {
    if (proc.pid !== undefined) {
      stopping = true;
      proc.kill('SIGKILL');
      await exited;
    }
    throw new Error(`plinth did not start: ${err.message}\nargs: ${argv.join(' ')}\n` +
      `stdout:\n${out.stdout.slice(-2000)}\nstderr:\n${out.stderr.slice(-4000)}`);
  }
  const port = Number(new URL(url).port);

  return {
    url,
    port,
    key: adminKey,
    proc,
    dataDir: dir,
    configPath,
    lines,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    accessLog,
    waitForLine,
    waitForAccessLog,
    exited,
    stop,
    // Sends a signal without waiting (e.g. SIGTERM mid-stream); the exit is expected.
    kill(signal = 'SIGTERM') {
      stopping = true;
      proc.kill(signal);
    },
  };
}

// Headers for an authenticated JSON request.
export function authHeaders(key = TEST_KEY, extra = {}) {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra };
}

// POSTs JSON with fetch; returns the Response.
export function postJson(url, body, { key = TEST_KEY, headers = {}, signal } = {}) {
  return fetch(url, {
    method: 'POST',
    headers: key ? authHeaders(key, headers) : { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

// A short chat request body.
export function chatBody(model, extra = {}) {
  return { model, messages: [{ role: 'user', content: 'Say hello.' }], ...extra };
}
