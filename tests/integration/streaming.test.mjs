// SSE responses: headers that keep proxies from buffering, no compression, and chunks that
// arrive as they are produced (a paced simulator makes the timing visible).

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { authHeaders, postJson, startPlinth, TEST_KEY } from '../e2e/lib/plinth.mjs';
import { readSse } from '../e2e/lib/sse.mjs';
import { countTokens } from '../e2e/lib/tokens.mjs';

let plinth;
before(async () => {
  plinth = await startPlinth({
    config: {
      providers: [{ name: 'paced', type: 'simulator',
        simulator: { time_to_first_token: '5ms', tokens_per_second: 20, default_max_tokens: 40 } }],
      models: [{ name: 'paced-chat', provider: 'paced' }],
    },
  });
});
after(async () => {
  if (plinth) assert.equal(await plinth.stop(), 0, 'plinth exits 0 on SIGTERM');
});

const body = (extra = {}) => ({ model: 'paced-chat', stream: true, max_tokens: 10,
  messages: [{ role: 'user', content: 'Tell me a story.' }], ...extra });

function assertSseHeaders(headers) {
  const get = (h) => (typeof headers.get === 'function' ? headers.get(h) : headers[h]);
  assert.match(get('content-type') || '', /^text\/event-stream/);
  assert.match(get('cache-control') || '', /no-cache/);
  assert.equal(get('x-accel-buffering'), 'no');
  assert.ok(!get('content-encoding'), `no Content-Encoding (got ${get('content-encoding')})`);
  assert.ok(!get('content-length'), 'no Content-Length on a stream');
}

test('chat streams carry SSE headers and arrive incrementally', async () => {
  const started = Date.now();
  const res = await postJson(`${plinth.url}/v1/chat/completions`, body(),
    { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(res.status, 200);
  assertSseHeaders(res.headers);
  const r = await readSse(res);
  assert.ok(r.done, '[DONE] ends the stream');
  const content = r.events.filter((e) => e.json?.choices?.[0]?.delta?.content);
  assert.ok(content.length >= 5, `several content chunks (${content.length})`);
  const first = content[0].at - started;
  const last = content.at(-1).at - started;
  // 10 tokens at 20/s: the last comes ~450 ms after the first when nothing buffers.
  assert.ok(last - first >= 250, `first chunk at ${first} ms, last at ${last} ms`);
  assert.ok(first < 1000, `first chunk after ${first} ms`);
  assert.equal(countTokens(r.content), 10, 'max_tokens 10 yields 10 tokens');
  const finish = r.chunks.find((c) => c.choices?.[0]?.finish_reason);
  assert.equal(finish.choices[0].finish_reason, 'length');
});

test('legacy completion streams behave the same', async () => {
  const started = Date.now();
  const res = await postJson(`${plinth.url}/v1/completions`,
    { model: 'paced-chat', prompt: 'Once upon a time', stream: true, max_tokens: 8 });
  assert.equal(res.status, 200);
  assertSseHeaders(res.headers);
  const r = await readSse(res);
  assert.ok(r.done);
  const texts = r.events.filter((e) => e.json?.choices?.[0]?.text);
  assert.ok(texts.length >= 4);
  assert.ok(texts.at(-1).at - texts[0].at >= 200, 'incremental');
  assert.ok(texts[0].at - started < 1000);
  assert.ok(r.chunks.every((c) => c.object === 'text_completion'));
});

test('each SSE event is written as it is produced (raw socket view)', async () => {
  // Read with node's http client to look at the wire: chunked transfer, data: lines.
  const arrivals = [];
  const raw = await new Promise((resolve, reject) => {
    const req = http.request(`${plinth.url}/v1/chat/completions`, {
      method: 'POST', headers: authHeaders(TEST_KEY, { 'accept-encoding': 'gzip' }),
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        arrivals.push(Date.now());
        text += d;
      });
      res.on('end', () => resolve({ res, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body({ max_tokens: 6 })));
  });
  assertSseHeaders(raw.res.headers);
  assert.equal(raw.res.headers['transfer-encoding'], 'chunked');
  assert.match(raw.text, /^data: \{/);
  assert.match(raw.text, /data: \[DONE\]\n\n$/);
  assert.ok(arrivals.length >= 4, `${arrivals.length} separate reads`);
});
