// Reads and parses a Prometheus scrape (text exposition format 0.0.4), so tests (the
// metrics test, the fault suite) can assert what an operator would see:
//
//   const m = await scrape(`${server.url}/metrics`);
//   m.value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'open' })  // 1
//   m.sum('hirebox_jobs_completed_total', { queue: 'cv-parse' })
//
// Parsing is strict: a malformed line fails the test rather than being skipped.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  /** # TYPE of each metric family. */
  types: Map<string, string>;
  /** Samples of `name` whose labels include all of `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the one sample of `name` matching `labels`; undefined when there is none; throws when several match. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Sum of the samples of `name` matching `labels` (0 when none). */
  sum(name: string, labels?: Record<string, string>): number;
  /** Distinct values of one label over the samples of `name`. */
  labelValues(name: string, label: string): string[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** Splits `name{labels} value [timestamp]` (the label block may hold spaces and braces inside quotes). */
function splitSample(line: string): { name: string; block: string | null; rest: string } {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`metrics: malformed line ${line}`);
  let i = name.length;
  let block: string | null = null;
  if (line[i] === '{') {
    let quoted = false;
    let j = i + 1;
    for (; j < line.length; j++) {
      const c = line[j];
      if (quoted && c === '\\') j++;
      else if (c === '"') quoted = !quoted;
      else if (!quoted && c === '}') break;
    }
    if (line[j] !== '}') throw new Error(`metrics: unterminated labels in ${line}`);
    block = line.slice(i, j + 1);
    i = j + 1;
  }
  return { name, block, rest: line.slice(i).trim() };
}

function parseValue(raw: string): number {
  // As Prometheus reads them (Go's ParseFloat): Inf and NaN in any case (prom-client writes "Nan").
  const lower = raw.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const n = Number(raw);
  if (Number.isNaN(n)) throw new Error(`metrics: bad value ${raw}`);
  return n;
}

function parseLabels(block: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1; // past '{'
  const end = block.length - 1; // at '}'
  while (i < end) {
    const eq = block.indexOf('=', i);
    if (eq < 0 || block[eq + 1] !== '"') throw new Error(`metrics: malformed labels in ${line}`);
    const key = block.slice(i, eq).trim();
    let j = eq + 2;
    let value = '';
    for (; j < end; j++) {
      const c = block[j];
      if (c === '\\') {
        const next = block[j + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        j++;
      } else if (c === '"') break;
      else value += c;
    }
    if (block[j] !== '"') throw new Error(`metrics: unterminated label value in ${line}`);
    labels[key] = value;
    i = j + 1;
    if (block[i] === ',') i++;
  }
  return labels;
}

export function parseMetrics(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (m?.[1] && m[2]) types.set(m[1], m[2]);
      continue;
    }
    const { name, block, rest } = splitSample(line);
    const parts = rest.split(/\s+/);
    if (!parts[0] || parts.length > 2) throw new Error(`metrics: malformed line ${line}`);
    samples.push({ name, labels: block ? parseLabels(block, line) : {}, value: parseValue(parts[0]) });
  }
  const find = (name: string, labels: Record<string, string> = {}): Sample[] =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    find,
    value(name, labels) {
      const found = find(name, labels);
      if (found.length > 1) throw new Error(`metrics: ${found.length} samples of ${name} match ${JSON.stringify(labels ?? {})}`);
      return found[0]?.value;
    },
    sum: (name, labels) => find(name, labels).reduce((a, s) => a + s.value, 0),
    labelValues: (name, label) => [...new Set(find(name).flatMap((s) => (s.labels[label] === undefined ? [] : [s.labels[label]])))],
  };
}

/** GETs a metrics URL (with an optional bearer token) and parses it; fails on any status but 200. */
export async function scrape(url: string, token?: string): Promise<Scrape> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`metrics: GET ${url} answered ${res.status}`);
  return parseMetrics(text);
}

/** Scrapes until `ready` holds for a scrape (metrics land asynchronously: jobs, breakers), or fails naming `what`. */
export async function scrapeUntil(what: string, url: string, ready: (m: Scrape) => boolean, options: { token?: string; timeoutMs?: number } = {}): Promise<Scrape> {
  const end = Date.now() + (options.timeoutMs ?? 15_000);
  let last: Scrape | null = null;
  for (;;) {
    last = await scrape(url, options.token).catch(() => last);
    if (last && ready(last)) return last;
    if (Date.now() > end) throw new Error(`metrics: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
