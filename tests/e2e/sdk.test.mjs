// End to end with the official OpenAI SDK against the simulator models sim-chat and
// sim-embed: the wire format must be exactly what the SDK expects.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import OpenAI from 'openai';

import { startPlinth } from './lib/plinth.mjs';
import { countTokens } from './lib/tokens.mjs';

let plinth;
let client;

// The simulator models, answering at once (the built-in ones are paced like a real server).
const FAST = {
  simulator_models: false,
  server: { body_limit: '64KiB' },
  providers: [{ name: 'fast-sim', type: 'simulator',
    simulator: { time_to_first_token: '5ms', tokens_per_second: 0, default_max_tokens: 24 } }],
  models: [{ name: 'sim-chat', provider: 'fast-sim' }, { name: 'sim-embed', provider: 'fast-sim' }],
};

before(async () => {
  plinth = await startPlinth({ config: FAST });
  client = new OpenAI({ baseURL: `${plinth.url}/v1`, apiKey: plinth.key, maxRetries: 0,
    timeout: 10000 });
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
});

const messages = [{ role: 'user', content: 'Write one sentence about the sea.' }];

function assertUsage(usage, content) {
  assert.ok(usage, 'usage present');
  assert.ok(usage.prompt_tokens > 0, 'prompt tokens');
  assert.ok(usage.completion_tokens > 0, 'completion tokens');
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
  if (content !== undefined) {
    assert.equal(usage.completion_tokens, countTokens(content), 'completion tokens are exact');
  }
}

test('the built-in configuration serves sim-chat and sim-embed', async () => {
  const builtin = await startPlinth();
  try {
    const c = new OpenAI({ baseURL: `${builtin.url}/v1`, apiKey: builtin.key, maxRetries: 0 });
    const ids = [];
    for await (const model of c.models.list()) ids.push(model.id);
    assert.ok(ids.includes('sim-chat'), `models: ${ids.join(', ')}`);
    assert.ok(ids.includes('sim-embed'), `models: ${ids.join(', ')}`);
    const r = await c.chat.completions.create({ model: 'sim-chat', messages, max_tokens: 4 });
    assert.ok(r.choices[0].message.content.length > 0);
    const e = await c.embeddings.create({ model: 'sim-embed', input: 'hello' });
    assert.ok(e.data[0].embedding.length > 0);
  } finally {
    await builtin.stop();
  }
});

test('models.list contains sim-chat and sim-embed in the OpenAI shape', async () => {
  const page = await client.models.list();
  const models = page.data;
  for (const id of ['sim-chat', 'sim-embed']) {
    const m = models.find((x) => x.id === id);
    assert.ok(m, `${id} listed`);
    assert.equal(m.object, 'model');
    assert.equal(typeof m.created, 'number');
    assert.equal(typeof m.owned_by, 'string');
  }
});

test('models.retrieve returns one model; an unknown one is NotFoundError', async () => {
  const m = await client.models.retrieve('sim-chat');
  assert.equal(m.id, 'sim-chat');
  assert.equal(m.object, 'model');
  const err = await expectError(client.models.retrieve('no-such-model'), OpenAI.NotFoundError, 404);
  assert.equal(err.code, 'model_not_found');
});

test('chat.completions.create answers with content and consistent usage', async () => {
  const r = await client.chat.completions.create({ model: 'sim-chat', messages });
  assert.equal(r.object, 'chat.completion');
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(typeof r.created, 'number');
  assert.equal(r.choices.length, 1);
  const choice = r.choices[0];
  assert.equal(choice.index, 0);
  assert.equal(choice.message.role, 'assistant');
  assert.ok(choice.message.content.length > 0, 'non-empty content');
  assert.equal(choice.finish_reason, 'stop');
  assertUsage(r.usage, choice.message.content);

  const again = await client.chat.completions.create({ model: 'sim-chat', messages });
  assert.equal(again.choices[0].message.content, choice.message.content, 'deterministic');
  assert.equal(again.usage.prompt_tokens, r.usage.prompt_tokens);
  assert.notEqual(again.id, r.id, 'ids are unique');
});

test('max_tokens and n are honoured', async () => {
  const r = await client.chat.completions.create({ model: 'sim-chat', messages, max_tokens: 3,
    n: 2, seed: 7 });
  assert.equal(r.choices.length, 2);
  for (const c of r.choices) {
    assert.ok(countTokens(c.message.content) <= 3);
    assert.equal(c.finish_reason, 'length');
  }
  assert.equal(r.usage.completion_tokens,
    r.choices.reduce((a, c) => a + countTokens(c.message.content), 0));
});

test('a stream without include_usage carries no usage and matches the whole answer', async () => {
  const whole = await client.chat.completions.create({ model: 'sim-chat', messages, seed: 3 });
  const stream = await client.chat.completions.create({ model: 'sim-chat', messages, seed: 3,
    stream: true });
  let content = '';
  let chunks = 0;
  let finish = null;
  let role = null;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.ok(chunk.usage === undefined || chunk.usage === null, 'no usage in any chunk');
    const c = chunk.choices[0];
    assert.ok(c, 'every chunk has a choice');
    role ??= c.delta.role ?? null;
    content += c.delta.content ?? '';
    if (c.finish_reason) finish = c.finish_reason;
  }
  assert.ok(chunks >= 3);
  assert.equal(role, 'assistant');
  assert.equal(finish, whole.choices[0].finish_reason);
  assert.equal(content, whole.choices[0].message.content);
});

test('a stream with include_usage ends with a usage chunk with empty choices', async () => {
  const stream = await client.chat.completions.create({ model: 'sim-chat', messages,
    stream: true, stream_options: { include_usage: true } });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, [], 'the last chunk has empty choices');
  const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.ok(content.length > 0);
  assertUsage(last.usage, content);
  assert.ok(chunks.slice(0, -1).every((c) => !c.usage), 'only the last chunk has usage');
});

test('legacy completions.create works plain and streamed', async () => {
  const r = await client.completions.create({ model: 'sim-chat', prompt: 'Once upon a time',
    max_tokens: 12 });
  assert.equal(r.object, 'text_completion');
  assert.ok(r.choices[0].text.length > 0);
  assertUsage(r.usage, r.choices[0].text);

  const stream = await client.completions.create({ model: 'sim-chat', prompt: 'Once upon a time',
    max_tokens: 12, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'text_completion');
    text += chunk.choices[0]?.text ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, r.choices[0].text, 'the stream spells the same answer');
  assertUsage(usage, text);
});

test('embeddings: float and the SDK\'s default base64 give the same unit vectors', async () => {
  const input = ['the quick brown fox', 'jumps over the lazy dog'];
  const asFloat = await client.embeddings.create({ model: 'sim-embed', input,
    encoding_format: 'float' });
  assert.equal(asFloat.object, 'list');
  assert.equal(asFloat.data.length, 2);
  assert.ok(asFloat.usage.prompt_tokens > 0);
  assert.equal(asFloat.usage.total_tokens, asFloat.usage.prompt_tokens);
  // The SDK asks for base64 by default and decodes it into floats.
  const asDefault = await client.embeddings.create({ model: 'sim-embed', input });
  for (let i = 0; i < 2; i++) {
    const f = asFloat.data[i];
    const d = asDefault.data[i];
    assert.equal(f.object, 'embedding');
    assert.equal(f.index, i);
    assert.equal(d.index, i);
    assert.ok(Array.isArray(f.embedding) && f.embedding.length > 0);
    assert.equal(d.embedding.length, f.embedding.length);
    const norm = Math.hypot(...f.embedding);
    assert.ok(Math.abs(norm - 1) < 1e-4, `unit length (norm ${norm})`);
    for (let k = 0; k < f.embedding.length; k++) {
      assert.ok(Math.abs(f.embedding[k] - d.embedding[k]) < 1e-6,
        `component ${k}: ${f.embedding[k]} vs ${d.embedding[k]}`);
    }
  }
  assert.notDeepEqual(asFloat.data[0].embedding, asFloat.data[1].embedding);
  const single = await client.embeddings.create({ model: 'sim-embed', input: input[0],
    encoding_format: 'float' });
  assert.deepEqual(single.data[0].embedding, asFloat.data[0].embedding, 'deterministic');
  const small = await client.embeddings.create({ model: 'sim-embed', input: input[0],
    dimensions: 32 });
  assert.equal(small.data[0].embedding.length, 32);
});

async function expectError(promise, Class, status) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Class, `${err.constructor.name} (${err.status}): ${err.message}`);
    assert.equal(err.status, status);
    assert.ok(err.error?.message ?? err.message);
    return err;
  }
  assert.fail(`expected ${Class.name}`);
}

test('errors map onto the SDK\'s error classes', async () => {
  const badKey = new OpenAI({ baseURL: `${plinth.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
  await expectError(badKey.models.list(), OpenAI.AuthenticationError, 401);
  await expectError(badKey.chat.completions.create({ model: 'sim-chat', messages }),
    OpenAI.AuthenticationError, 401);

  const nf = await expectError(client.chat.completions.create({ model: 'no-such-model', messages }),
    OpenAI.NotFoundError, 404);
  assert.equal(nf.code, 'model_not_found');

  const bad = await expectError(client.chat.completions.create({ model: 'sim-chat', messages,
    temperature: 7.5 }), OpenAI.BadRequestError, 400);
  assert.match(bad.message, /temperature/);
  assert.equal(bad.param, 'temperature');

  const streamed = await expectError(client.chat.completions.create({ model: 'sim-chat', messages,
    temperature: 7.5, stream: true }), OpenAI.BadRequestError, 400);
  assert.match(streamed.message, /temperature/);

  const big = [{ role: 'user', content: 'x'.repeat(100 * 1024) }];
  const tooLarge = await expectError(client.chat.completions.create({ model: 'sim-chat',
    messages: big }), OpenAI.APIError, 413);
  assert.ok(tooLarge.message.length > 0);

  await expectError(client.embeddings.create({ model: 'no-such-model', input: 'x' }),
    OpenAI.NotFoundError, 404);
});
