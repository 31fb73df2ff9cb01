// A small OpenAI-compatible upstream that misbehaves on purpose, for Plinth's provider tests.
// The upstream model name in each request picks the behaviour (see BEHAVIOURS); every request
// is recorded, and connection closes are published as events so tests can await them.

import { EventEmitter } from 'node:events';
import http from 'node:http';

import { withDeadline } from './wait.mjs';

// Content of every successful answer, as stream pieces and as a whole.
export const OK_PIECES = ['Hello', ' from', ' the', ' fake', ' upstream.'];
export const OK_TEXT = OK_PIECES.join('');
export const OK_USAGE = { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 };
export const CONTEXT_LENGTH_MESSAGE =
  "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens " +
  '(4000 in the messages, 1000 in the completion). Please reduce the length of the messages ' +
  'or completion.';
export const EMBEDDING_DIMS = 8;

// Behaviour per upstream model name.
export const BEHAVIOURS = [
  'ok',                 // well-formed answers (chat, completions, embeddings, streams)
  'slow-first-token',   // waits firstTokenDelayMs before sending anything
  'reset-mid-stream',   // streams two chunks, then destroys the socket
  'malformed-sse',      // streams `data: {not json` as the first event (non-stream: bad JSON)
  'malformed-sse-mid',  // one good chunk, then `data: {not json`
  'status-500',         // 500 with an OpenAI error body
  'status-400',         // 400 context-length error
  'no-usage',           // like ok, but never reports usage (stream or not)
  'hang-stream',        // one chunk, then nothing until the client goes away
  'big',                // a non-streamed chat answer of BIG_CONTENT_BYTES characters
];
// Larger than a loopback socket's send buffer: Plinth cannot hand it to the kernel at once.
export const BIG_CONTENT_BYTES = 24 * 1024 * 1024;

// Starts the fake on 127.0.0.1:0. Options: firstTokenDelayMs (slow-first-token, default 3000).
// Returns {url, baseUrl, port, requests, events, waitForRequest, waitForClose, close}.
// `requests` holds {seq, method, path, headers, rawBody, body, model, at, closedEarly,
// closedAt}; events: 'request' (record) and 'client-closed' (record) when a client connection
// closes before the response was complete.
export async function startFakeUpstream({ firstTokenDelayMs = 3000 } = {}) {
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const requests = [];
  let seq = 0;

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try {
        body = rawBody ? JSON.parse(rawBody) : null;
      } catch {
        body = null;
      }
      const record = {
        seq: ++seq,
        method: req.method,
        path: req.url,
        headers: req.headers,
        rawBody,
        body,
        model: body && typeof body.model === 'string' ? body.model : null,
        at: Date.now(),
        closedEarly: false,
        closedAt: null,
      };
      requests.push(record);
      res.on('close', () => {
        if (!res.writableFinished) {
          record.closedEarly = true;
          record.closedAt = Date.now();
          events.emit('client-closed', record);
        }
      });
      events.emit('request', record);
      route(req, res, record, { firstTokenDelayMs });
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    baseUrl: `${url}/v1`,
    port,
    requests,
    events,
    // Resolves with the first recorded request (past or future) matching pred.
    waitForRequest(pred, timeoutMs = 5000) {
      return waitFor(requests, events, 'request', pred, timeoutMs, 'an upstream request');
    },
    // Resolves with the first request matching pred whose client connection closed early.
    waitForClose(pred = () => true, timeoutMs = 5000) {
      const p = (r) => r.closedEarly && pred(r);
      return waitFor(requests, events, 'client-closed', p, timeoutMs, 'the upstream to see close');
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function waitFor(list, events, name, pred, timeoutMs, what) {
  const found = list.find(pred);
  if (found) return Promise.resolve(found);
  let listener;
  const p = new Promise((resolve) => {
    listener = (r) => {
      if (pred(r)) resolve(r);
    };
    events.on(name, listener);
  });
  return withDeadline(p, timeoutMs, `waiting for ${what}`).finally(() =>
    events.off(name, listener));
}

function route(req, res, record, opts) {
  const path = (req.url || '').split('?')[0];
  if (req.method === 'GET' && path === '/v1/models') {
    return sendJson(res, 200, {
      object: 'list',
      data: BEHAVIOURS.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake' })),
    });
  }
  const op = { '/v1/chat/completions': 'chat', '/v1/completions': 'completion',
    '/v1/embeddings': 'embedding' }[path];
  if (req.method !== 'POST' || !op) {
    return sendError(res, 404, `fake upstream: no route ${req.method} ${path}`, 'not_found');
  }
  const body = record.body;
  if (!body || typeof body !== 'object') {
    return sendError(res, 400, 'fake upstream: body is not JSON', null);
  }
  const model = record.model;
  const stream = body.stream === true;
  const wantUsage = stream && body.stream_options?.include_usage === true;
  const ctx = { res, op, model, stream, wantUsage, id: `fake-${record.seq}` };

  switch (model) {
    case 'ok':
      if (op === 'embedding') return sendEmbeddings(res, body, model);
      return stream ? streamOk(ctx, { usage: true }) : sendComplete(ctx, { usage: true });
    case 'no-usage':
      if (op === 'embedding') return sendEmbeddings(res, body, model, { usage: false });
      return stream ? streamOk(ctx, { usage: false }) : sendComplete(ctx, { usage: false });
    case 'big':
      return sendComplete(ctx, { usage: true, content: 'b'.repeat(BIG_CONTENT_BYTES) });
    case 'slow-first-token': {
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        if (stream) streamOk(ctx, { usage: true });
        else sendComplete(ctx, { usage: true });
      }, opts.firstTokenDelayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'reset-mid-stream':
      if (!stream) {
        // Headers promise a body that never comes whole.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"id":"');
        return setImmediate(() => res.socket?.destroy());
      }
      startSse(res);
      writeChunk(ctx, 0, { role: 'assistant', content: '' });
      writeChunk(ctx, 0, { content: OK_PIECES[0] });
      // Let the two chunks leave before the reset.
      return setTimeout(() => res.socket?.destroy(), 50);
    case 'malformed-sse':
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{not json');
      }
      startSse(res);
      res.write('data: {not json\n\n');
      return setTimeout(() => { if (!res.destroyed) res.end('data: [DONE]\n\n'); }, 50);
    case 'malformed-sse-mid':
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{not json');
      }
      startSse(res);
      writeChunk(ctx, 0, { role: 'assistant', content: OK_PIECES[0] });
      return setTimeout(() => {
        if (res.destroyed) return;
        res.write('data: {not json\n\n');
        setTimeout(() => { if (!res.destroyed) res.end('data: [DONE]\n\n'); }, 50);
      }, 50);
    case 'status-500':
      return sendError(res, 500, 'The server had an error while processing your request.',
        null, 'server_error');
    case 'status-400':
      return sendError(res, 400, CONTEXT_LENGTH_MESSAGE, 'context_length_exceeded',
        'invalid_request_error', 'messages');
    case 'hang-stream':
      if (!stream) return; // never answers; the client's timeout or cancel ends it
      startSse(res);
      writeChunk(ctx, 0, { role: 'assistant', content: OK_PIECES[0] });
      return; // nothing more; 'close' is recorded when the client goes away
    default:
      return sendError(res, 404, `The model \`${model}\` does not exist.`, 'model_not_found');
  }
}

function sendJson(res, status, obj) {
  const text = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res, status, message, code, type = 'invalid_request_error', param = null) {
  sendJson(res, status, { error: { message, type, param, code } });
}

const created = () => Math.floor(Date.now() / 1000);

function sendComplete({ res, op, model, id }, { usage, content = OK_TEXT }) {
  const common = { id, created: created(), model, system_fingerprint: 'fp_fake' };
  const body = op === 'chat'
    ? {
      ...common, id: `chatcmpl-${id}`, object: 'chat.completion',
      choices: [{
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      }],
    }
    : {
      ...common, id: `cmpl-${id}`, object: 'text_completion',
      choices: [{ index: 0, text: OK_TEXT, logprobs: null, finish_reason: 'stop' }],
    };
  if (usage) body.usage = { ...OK_USAGE };
  sendJson(res, 200, body);
}

function startSse(res) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
}

// Writes one chunk of the request's operation. `delta` is a chat delta; for completions its
// content becomes `text`.
function writeChunk({ res, op, model, id, wantUsage }, index, delta, finishReason = null) {
  const base = { created: created(), model, system_fingerprint: 'fp_fake' };
  const chunk = op === 'chat'
    ? {
      ...base, id: `chatcmpl-${id}`, object: 'chat.completion.chunk',
      choices: [{ index, delta, logprobs: null, finish_reason: finishReason }],
    }
    : {
      ...base, id: `cmpl-${id}`, object: 'text_completion',
      choices: [{ index, text: delta.content ?? '', logprobs: null,
        finish_reason: finishReason }],
    };
  if (wantUsage) chunk.usage = null;
  res.write(`data: ${JSON.stringify(chunk)}\n\n`);
}

function streamOk(ctx, { usage }) {
  const { res, op, model, id, wantUsage } = ctx;
  startSse(res);
  if (op === 'chat') writeChunk(ctx, 0, { role: 'assistant', content: '' });
  OK_PIECES.forEach((piece) => writeChunk(ctx, 0, { content: piece }));
  writeChunk(ctx, 0, {}, 'stop');
  if (usage && wantUsage) {
    const object = op === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const prefix = op === 'chat' ? 'chatcmpl' : 'cmpl';
    res.write(`data: ${JSON.stringify({
      id: `${prefix}-${id}`, object, created: created(), model, system_fingerprint: 'fp_fake',
      choices: [], usage: { ...OK_USAGE },
    })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

// A deterministic unit vector per input string.
export function fakeEmbedding(text) {
  const v = [];
  let h = 2166136261;
  for (const ch of String(text)) h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0;
  for (let i = 0; i < EMBEDDING_DIMS; i++) {
    h = Math.imul(h ^ (i + 1), 16777619) >>> 0;
    v.push((h % 2000) / 1000 - 1);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function sendEmbeddings(res, body, model, { usage = true } = {}) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const data = inputs.map((text, index) => {
    const vec = fakeEmbedding(text);
    let embedding = vec;
    if (body.encoding_format === 'base64') {
      embedding = Buffer.from(new Float32Array(vec).buffer).toString('base64');
    }
    return { object: 'embedding', index, embedding };
  });
  const out = { object: 'list', data, model };
  if (usage) out.usage = { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 };
  sendJson(res, 200, out);
}
