// The admin key: without PLINTH_ADMIN_KEY the first start generates one, prints it once and
// keeps it in <data-dir>/admin.key (mode 0600); later starts reuse it silently.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { startPlinth } from '../e2e/lib/plinth.mjs';

const ADMIN_LINE = /admin key:\s*(\S+)/i;

async function modelsStatus(url, key) {
  const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
}

test('a generated admin key is printed once, stored 0600, and reused', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-admin-'));
  try {
    const first = await startPlinth({ adminKey: null, dataDir });
    let key;
    try {
      const line = await first.waitForLine(ADMIN_LINE, 3000, '"admin key:"');
      key = ADMIN_LINE.exec(line.text)[1];
      assert.ok(key.length >= 20, `a long random key (${key.length} chars)`);
      assert.equal(await modelsStatus(first.url, key), 200, 'the printed key works');
      assert.equal(await modelsStatus(first.url, `${key}x`), 401);
      const printed = first.lines.filter((l) => l.text.includes(key));
      assert.equal(printed.length, 1, 'the key is printed exactly once (not in the access log)');

      const file = path.join(dataDir, 'admin.key');
      assert.ok(fs.existsSync(file), 'admin.key is written');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'admin.key has mode 0600');
    } finally {
      assert.equal(await first.stop(), 0);
    }

    const second = await startPlinth({ adminKey: null, dataDir });
    try {
      assert.equal(await modelsStatus(second.url, key), 200, 'the key still works');
      const all = `${second.stdout()}\n${second.stderr()}`;
      assert.ok(!ADMIN_LINE.test(all), 'the key is not printed again');
      assert.ok(!all.includes(key), 'the key does not appear in the output');
    } finally {
      assert.equal(await second.stop(), 0);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('PLINTH_ADMIN_KEY seeds the admin key and is never printed', async () => {
  const key = 'sk-seeded-admin-key-for-test-0123456789';
  const plinth = await startPlinth({ adminKey: key });
  try {
    assert.equal(await modelsStatus(plinth.url, key), 200);
    const all = `${plinth.stdout()}\n${plinth.stderr()}`;
    assert.ok(!all.includes(key), 'a seeded key is not printed');
  } finally {
    await plinth.stop();
  }
});
