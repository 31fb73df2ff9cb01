// Parsing the Prometheus text exposition format, enough for assertions on /metrics.

// Returns [{name, labels: {k: v}, value}] for every sample line (comments skipped).
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let l;
      while ((l = re.exec(m[3]))) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

// Samples named `name` whose labels include all of `labels`.
export function find(samples, name, labels = {}) {
  return samples.filter((s) => s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

// Sum of the matching samples' values (0 when none).
export function sum(samples, name, labels = {}) {
  return find(samples, name, labels).reduce((a, s) => a + s.value, 0);
}

// The `# TYPE` of each metric family.
export function types(text) {
  const out = {};
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out[m[1]] = m[2];
  return out;
}

export async function scrape(url) {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text,
    samples: parseMetrics(text), types: types(text) };
}
