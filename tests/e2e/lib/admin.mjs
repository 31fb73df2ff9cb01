// The admin API (/admin/v1) from tests: one request with the admin key, answered as
// {status, headers, text, json} (json undefined when the body is not JSON), and a variant
// that asserts the status and returns the JSON.

import assert from 'node:assert/strict';

import { TEST_KEY } from './plinth.mjs';

// A fetch() response's body as text, and as JSON when it parses (else undefined).
export async function readBody(res) {
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { text, json };
}

// `body`: an object (sent as JSON) or a string (sent as is). `headers` may override the
// content type.
export async function adminRequest(baseUrl, method, urlPath,
  { body, key = TEST_KEY, headers = {} } = {}) {
  const h = { ...headers };
  if (key !== null) h.authorization = `Bearer ${key}`;
  if (body !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const { text, json } = await readBody(res);
  return { status: res.status, headers: res.headers, text, json };
}

export async function adminOk(baseUrl, method, urlPath, body, status = 200) {
  const res = await adminRequest(baseUrl, method, urlPath, { body });
  assert.equal(res.status, status, `${method} ${urlPath} ${JSON.stringify(body ?? '')}: ` +
    `${res.status} ${res.text}`);
  return res.json;
}
