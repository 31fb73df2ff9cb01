// Graceful shutdown: after SIGTERM the server stops taking work (readyz 503 or connections
// refused) but lets an in-flight stream finish, then exits 0.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { postJson, startPlinth } from '../e2e/lib/plinth.mjs';
import { sseEvents } from '../e2e/lib/sse.mjs';
import { countTokens } from '../e2e/lib/tokens.mjs';
import { waitUntil, withDeadline } from '../e2e/lib/wait.mjs';

const config = {
  server: { shutdown_grace: '10s' },
  providers: [{ name: 'paced', type: 'simulator',
    simulator: { time_to_first_token: '5ms', tokens_per_second: 20, default_max_tokens: 60 } }],
  models: [{ name: 'paced-chat', provider: 'paced' }],
};

// readyz answer, or 'refused' when no connection can be made.
async function readiness(url) {
  try {
    const res = await fetch(`${url}/readyz`);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'refused';
  }
}

test('SIGTERM lets an in-flight stream finish, refuses new work, and exits 0', async () => {
  const plinth = await startPlinth({ config });
  try {
    assert.equal(await readiness(plinth.url), 200);
    const res = await postJson(`${plinth.url}/v1/chat/completions`, {
      model: 'paced-chat', stream: true, max_tokens: 30,
      messages: [{ role: 'user', content: 'A long answer, please.' }],
    });
    assert.equal(res.status, 200);
    const events = sseEvents(res.body);
    const first = await withDeadline(events.next(), 3000, 'for the first chunk');
    assert.ok(first.value?.json);

    const termAt = Date.now();
    plinth.kill('SIGTERM');

    // While the stream is still going, the server reports it is not ready (or refuses).
    const state = await waitUntil(async () => {
      const s = await readiness(plinth.url);
      return s !== 200 && s;
    }, { timeoutMs: 1000, what: 'readyz to turn 503 or connections to be refused' });
    assert.ok(state === 503 || state === 'refused', `readyz after SIGTERM: ${state}`);

    // The stream completes: 30 tokens at 20/s take ~1.5 s, well past the readiness check.
    let content = first.value.json.choices?.[0]?.delta?.content ?? '';
    let done = false;
    let error = null;
    for (;;) {
      const { value, done: ended } = await withDeadline(events.next(), 5000, 'for the stream');
      if (ended) break;
      if (value.data === '[DONE]') done = true;
      if (value.json?.error) error = value.json.error;
      content += value.json?.choices?.[0]?.delta?.content ?? '';
    }
    assert.equal(error, null, 'no error event');
    assert.ok(done, '[DONE] received after SIGTERM');
    assert.equal(countTokens(content), 30, 'the whole answer arrived');
    assert.ok(Date.now() - termAt >= 1000, 'the stream really was in flight at SIGTERM');

    const { code, signal } = await withDeadline(plinth.exited, 5000,
      'for plinth to exit once the stream is done');
    assert.equal(signal, null);
    assert.equal(code, 0);
  } finally {
    await plinth.stop();
  }
});

test('SIGTERM on an idle server exits 0 promptly', async () => {
  const plinth = await startPlinth({ config });
  const started = Date.now();
  assert.equal(await plinth.stop({ timeoutMs: 5000 }), 0);
  assert.ok(Date.now() - started < 3000, 'an idle server does not wait out shutdown_grace');
});
