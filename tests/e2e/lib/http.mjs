// Raw HTTP for tests that need exact control: paths sent byte for byte (fetch normalises
// them), odd headers, and plain sockets for slow or oversized requests.

import http from 'node:http';
import net from 'node:net';

import { withDeadline } from './wait.mjs';

// Sends one request with node's http client (the path is not normalised). Returns
// {status, headers, text, json}. `body` may be a string/Buffer, or an object (sent as JSON).
export function rawRequest(base, { method = 'GET', path = '/', headers = {}, body, timeoutMs = 10000,
  chunked = false } = {}) {
  const url = new URL(base);
  let payload = body;
  const hdrs = { ...headers };
  if (body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)) {
    payload = JSON.stringify(body);
    if (!Object.keys(hdrs).some((h) => h.toLowerCase() === 'content-type')) {
      hdrs['content-type'] = 'application/json';
    }
  }
  const p = new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, method, path, headers: hdrs, agent: false,
      setHost: !Object.keys(hdrs).some((h) => h.toLowerCase() === 'host'),
    }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload !== undefined) {
      if (chunked) {
        // No Content-Length: node sends Transfer-Encoding: chunked, in pieces.
        const buf = Buffer.from(payload);
        for (let i = 0; i < buf.length; i += 256) req.write(buf.subarray(i, i + 256));
      } else {
        req.setHeader('content-length', Buffer.byteLength(payload));
        req.write(payload);
      }
    }
    req.end();
  });
  return withDeadline(p, timeoutMs, `for ${method} ${path}`);
}

// Opens a TCP connection, writes `bytes` (string or Buffer), and collects what the server
// sends until it closes the connection or `timeoutMs` passes. Returns {text, status, closed,
// elapsedMs, error}: status parsed from the first response line, closed whether the server
// ended the connection. Nothing more is sent: a partial request stays partial.
export function rawExchange(port, bytes, { timeoutMs = 5000, untilResponse = false } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    const parts = [];
    let settled = false;
    const finish = (closed, error = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(parts).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : null, closed, elapsedMs: Date.now() - started,
        error });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (c) => {
      parts.push(c);
      if (untilResponse && /\r\n\r\n/.test(Buffer.concat(parts).toString('latin1'))) {
        finish(false);
      }
    });
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', (err) => finish(true, err));
  });
}
