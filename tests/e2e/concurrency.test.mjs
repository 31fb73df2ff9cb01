// Many streams at once, and a stream the client aborts: every stream completes with its own
// content, and an abort leaves the server healthy.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import OpenAI from 'openai';

import { startPlinth } from './lib/plinth.mjs';
import { scrape, sum } from './lib/prometheus.mjs';
import { waitUntil } from './lib/wait.mjs';

let plinth;
let client;

// Paced so that the streams overlap: ~16 tokens at 200/s = ~80 ms each.
const CONFIG = {
  simulator_models: false,
  providers: [{ name: 'paced-sim', type: 'simulator',
    simulator: { time_to_first_token: '5ms', tokens_per_second: 200, default_max_tokens: 16 } },
  // A ten-second answer, so an abort certainly lands mid-stream.
  { name: 'slow-sim', type: 'simulator',
    simulator: { time_to_first_token: '5ms', tokens_per_second: 20, default_max_tokens: 200 } }],
  models: [{ name: 'sim-chat', provider: 'paced-sim' }, { name: 'sim-embed', provider: 'paced-sim' },
    { name: 'slow-chat', provider: 'slow-sim' }],
};

before(async () => {
  plinth = await startPlinth({ config: CONFIG });
  client = new OpenAI({ baseURL: `${plinth.url}/v1`, apiKey: plinth.key, maxRetries: 0,
    timeout: 20000 });
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0);
});

const ask = (i) => ({ model: 'sim-chat', seed: i,
  messages: [{ role: 'user', content: `Question number ${i}: what is ${i} times ${i}?` }] });

test('50 parallel streams all complete with their own content', async () => {
  const N = 50;
  const expected = await Promise.all(Array.from({ length: N }, (_, i) =>
    client.chat.completions.create(ask(i)).then((r) => r.choices[0].message.content)));
  assert.ok(new Set(expected).size > N / 2, 'answers differ by prompt (a meaningful check)');

  let open = 0;
  let maxOpen = 0;
  const results = await Promise.all(Array.from({ length: N }, async (_, i) => {
    const stream = await client.chat.completions.create({ ...ask(i), stream: true,
      stream_options: { include_usage: true } });
    open++;
    maxOpen = Math.max(maxOpen, open);
    let content = '';
    let usage = null;
    let finish = null;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    open--;
    return { content, usage, finish };
  }));
  results.forEach((r, i) => {
    assert.equal(r.content, expected[i], `stream ${i} has its own content`);
    assert.ok(r.finish, `stream ${i} finished`);
    assert.ok(r.usage, `stream ${i} got usage`);
  });
  assert.ok(maxOpen > 1, `streams overlapped (max ${maxOpen} open at once)`);
});

test('an aborted stream is cleaned up and the next request succeeds', async () => {
  const controller = new AbortController();
  const stream = await client.chat.completions.create({ model: 'slow-chat',
    messages: [{ role: 'user', content: 'A very long answer.' }], stream: true },
  { signal: controller.signal });
  let chunks = 0;
  try {
    for await (const chunk of stream) {
      assert.ok(chunk.choices);
      chunks++;
      if (chunks === 1) {
        const during = sum((await scrape(plinth.url)).samples, 'plinth_in_flight_streams');
        assert.equal(during, 1, 'the stream counts as in flight');
        controller.abort();
      }
    }
    // The SDK ends the iteration quietly when its own signal aborted it.
  } catch (err) {
    assert.ok(err instanceof OpenAI.APIUserAbortError || err.name === 'AbortError',
      `iteration ends with an abort, not ${err}`);
  }
  // Chunks the SDK had already read may still come out; the rest of a 200-token answer not.
  assert.ok(chunks < 10, `${chunks} chunks after the abort`);

  // The server notices the client is gone: no stream stays in flight (the answer would
  // have taken seconds more).
  await waitUntil(async () => sum((await scrape(plinth.url)).samples,
    'plinth_in_flight_streams') === 0, { timeoutMs: 2000, what: 'plinth_in_flight_streams 0' });

  const r = await client.chat.completions.create({ model: 'sim-chat',
    messages: [{ role: 'user', content: 'Are you still there?' }] });
  assert.ok(r.choices[0].message.content.length > 0);
  const s = await client.chat.completions.create({ model: 'sim-chat', stream: true,
    messages: [{ role: 'user', content: 'And streaming?' }] });
  let content = '';
  for await (const chunk of s) content += chunk.choices[0]?.delta?.content ?? '';
  assert.ok(content.length > 0);
});
