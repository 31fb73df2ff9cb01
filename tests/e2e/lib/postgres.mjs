// A throwaway PostgreSQL cluster for tests, from Debian's `postgresql` package (the node port
// of tests/unit/store/pg_cluster.h): initdb with trust authentication for a `plinth`
// superuser in a temporary directory, a server on 127.0.0.1 and a free port. A detached
// watchdog process stops the server and removes the directory when stop() is called or when
// the test process ends in any way (a failed assertion, an exception, a kill), so nothing
// outlives the test. When PostgreSQL cannot start, startPostgres() throws with its logs:
// tests then fail, never skip.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { withDeadline } from './wait.mjs';

// The bin directory of the newest /usr/lib/postgresql/N with an initdb, or PLINTH_PG_BINDIR.
function bindir() {
  if (process.env.PLINTH_PG_BINDIR) return process.env.PLINTH_PG_BINDIR;
  let best = '';
  let bestVersion = -1;
  let entries = [];
  try {
    entries = fs.readdirSync('/usr/lib/postgresql');
  } catch {
    return '';
  }
  for (const e of entries) {
    const v = Number.parseInt(e, 10);
    const bin = path.join('/usr/lib/postgresql', e, 'bin');
    if (Number.isFinite(v) && v > bestVersion && fs.existsSync(path.join(bin, 'initdb'))) {
      bestVersion = v;
      best = bin;
    }
  }
  return best;
}

// initdb and postgres refuse to run as root: then they run as `postgres` (else `nobody`).
function runAs() {
  if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) return null;
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
      return { user, uid, gid };
    } catch {
      // no such user
    }
  }
  return null;
}

// initdb writes ~40 MB: on tmpfs it takes a third of the time it takes on disk. A small
// /dev/shm (containers often have 64 MB) falls back to the temporary directory.
function scratchRoot() {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    const st = fs.statfsSync('/dev/shm');
    if (st.bavail * st.bsize > 512 * 1024 * 1024) return '/dev/shm';
  } catch {
    // not usable
  }
  return os.tmpdir();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

// Runs a shell command line; resolves with its exit code (output goes where the line says).
function sh(line, timeoutMs = 60000) {
  return withDeadline(new Promise((resolve, reject) => {
    const p = spawn('/bin/sh', ['-c', line], { stdio: ['ignore', 'ignore', 'ignore'] });
    p.on('error', reject);
    p.on('close', (code) => resolve(code));
  }), timeoutMs, `running ${line}`);
}

// Runs a program; resolves {code, stdout, stderr}.
function run(file, args, timeoutMs = 30000) {
  return withDeadline(new Promise((resolve, reject) => {
    const p = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  }), timeoutMs, `running ${file} ${args.join(' ')}`);
}

function tail(file, n = 2000) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > n ? text.slice(-n) : text;
  } catch (err) {
    return `(unreadable: ${err.message})`;
  }
}

// Starts a cluster. Returns {port, dir, conninfo(db), createDatabase(), query(db, sql), stop()}.
export async function startPostgres({ startTimeoutMs = 30000 } = {}) {
  const bin = bindir();
  if (!bin) {
    throw new Error('cannot start the test PostgreSQL cluster: no /usr/lib/postgresql/*/bin/initdb ' +
      '(apt-get install postgresql, or set PLINTH_PG_BINDIR)');
  }
  const dir = fs.mkdtempSync(path.join(scratchRoot(), 'plinth-pg-'));
  const data = path.join(dir, 'data');
  const as = runAs();
  const prefix = as ? `runuser -u ${as.user} -- ` : '';
  if (as) fs.chownSync(dir, as.uid, as.gid);

  // The watchdog: a session of its own (a Ctrl-C to the test's group does not reach it) that
  // waits for EOF on its stdin, which comes when stop() closes the pipe or when this process
  // dies, then stops the server and removes the directory.
  const cleanup = `${prefix}${bin}/pg_ctl -D ${quote(data)} -m immediate -w -t 30 stop; ` +
    `rm -rf ${quote(dir)}`;
  const watchdog = spawn('/bin/sh', ['-c', `cat >/dev/null; ${cleanup}`],
    { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  const watchdogGone = new Promise((resolve) => watchdog.on('close', resolve));
  watchdog.on('error', () => {});
  watchdog.unref();
  watchdog.stdin.on('error', () => {});
  watchdog.stdin.unref?.();

  let stopped = null;
  function stop({ timeoutMs = 40000 } = {}) {
    if (!stopped) {
      watchdog.stdin.end();
      stopped = withDeadline(watchdogGone, timeoutMs, 'for the PostgreSQL watchdog to clean up')
        .then(() => undefined);
    }
    return stopped;
  }

  async function fail(what) {
    const logs = `\n--- initdb.log\n${tail(path.join(dir, 'initdb.log'))}` +
      `\n--- server.log\n${tail(path.join(dir, 'server.log'))}` +
      `\n--- pg_ctl.log\n${tail(path.join(dir, 'pg_ctl.log'))}`;
    await stop().catch(() => {});
    return new Error(`cannot start the test PostgreSQL cluster: ${what}${logs}`);
  }

  const initdb = await sh(`${prefix}${bin}/initdb -D ${quote(data)} -U plinth --auth=trust ` +
    `--no-sync --no-instructions -E UTF8 --locale=C > ${quote(path.join(dir, 'initdb.log'))} 2>&1`);
  if (initdb !== 0) throw await fail(`initdb failed (exit ${initdb})`);

  // A port found free may be taken before the server binds it (tests run in parallel): try a
  // few.
  let port = 0;
  let started = false;
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} ` +
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50';
    const code = await sh(`${prefix}${bin}/pg_ctl -D ${quote(data)} -l ` +
      `${quote(path.join(dir, 'server.log'))} -w -t 30 -o ${quote(options)} start > ` +
      `${quote(path.join(dir, 'pg_ctl.log'))} 2>&1`);
    started = code === 0;
  }
  if (!started) throw await fail('pg_ctl start failed');

  const conninfo = (db = 'postgres') =>
    `host=127.0.0.1 port=${port} user=plinth dbname=${db} connect_timeout=5`;

  // One SQL script through psql (a client: it runs as root fine). Throws with psql's output.
  async function query(db, sql) {
    const r = await run(path.join(bin, 'psql'),
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', conninfo(db), '-c', sql]);
    if (r.code !== 0) throw new Error(`psql ${JSON.stringify(sql)}: exit ${r.code}\n${r.stderr}`);
    return r.stdout;
  }

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    try {
      await query('postgres', 'SELECT 1');
      break;
    } catch (err) {
      if (Date.now() >= deadline) {
        throw await fail(`the server did not accept connections within ${startTimeoutMs} ms: ` +
          err.message);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  let databases = 0;
  // A fresh, empty database; returns its name.
  async function createDatabase() {
    const name = `plinth_test_${++databases}`;
    await query('postgres', `CREATE DATABASE ${name}`);
    return name;
  }

  return { port, dir, conninfo, createDatabase, query, stop };
}
