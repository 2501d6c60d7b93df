// Issue 19 item 2: every registered route, fuzzed. Each route's path parameters, query and
// JSON (or multipart) body are generated from its own schema (the OpenAPI document the app
// serves at /api/docs) and then mutated (wrong types, huge strings, NUL, bidi controls,
// deep nesting, extra and prototype-polluting keys, dropped fields). Requests are sent as a
// signed-in admin (the deepest reach), as a lower role and anonymously, each from its own
// address (the per-IP ceiling is not what is under test here). Properties:
//   - no response is >= 500;
//   - a refused request (4xx) stores nothing: the row count of every table is unchanged,
//     except the tables whose job is to record refusals (listed below, with why).
// Bounded for CI; FUZZ_RUNS=<n> raises the cases per route (default 6), FUZZ_SEED replays.
import t from 'tap';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { createJob } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { fromSchema, fuzzRuns, jsonWithDeep, fuzzSeed, mutate, mutationArb, wrongValue, type JsonSchema } from './arbitraries.js';

const RUNS = fuzzRuns(6);
const SEED = fuzzSeed();

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
let admin = await createOrgWithMember(ctx, 'admin');
let lower = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const job = await createJob(ctx, admin);
const { rows: slugRows } = await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId]);
const orgSlug = slugRows[0]?.slug ?? '';

/**
 * Tables that record refusals on purpose, so a 4xx may add a row to them: the org and
 * platform audit logs with their chain heads (refused sign-ins, denied permissions and
 * rejected webhooks are audited, some just after the answer is sent) and access_denials
 * (the denial recorder), and alerts (a burst of failed sign-ins or MFA codes raises a
 * security alert by design). Everything else must be unchanged after a 4xx.
 */
const REFUSAL_RECORDS = new Set(['audit_events', 'audit_heads', 'platform_audit_events', 'platform_audit_heads', 'access_denials', 'alerts']);

const { rows: tableRows } = await owner.query<{ name: string }>(
  `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
);
const tables = tableRows.map((r) => r.name).filter((n) => !REFUSAL_RECORDS.has(n) && n !== 'schema_migrations');
const countSql = tables.map((n) => `SELECT '${n}' AS name, count(*)::int AS n FROM ${n}`).join(' UNION ALL ');
async function counts(): Promise<Record<string, number>> {
  const { rows } = await owner.query<{ name: string; n: number }>(countSql);
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}
function changed(a: Record<string, number>, b: Record<string, number>): string[] {
  return Object.keys(b).filter((k) => a[k] !== b[k]).map((k) => `${k} ${a[k]}->${b[k]}`);
}

type Op = { parameters?: { in: string; name: string; schema?: JsonSchema; required?: boolean }[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } };
const docs = (ctx.app as unknown as { swagger(): { paths: Record<string, Record<string, Op>> } }).swagger();
const routes = ctx.app.routeAccess.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');

/** Ids that exist (so handlers get past the look-up) next to generated ones. */
const KNOWN_IDS = [job.id, admin.orgId, admin.userId, orgSlug, job.slug];

let ipCounter = 0;
const nextIp = (): string => {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};

/** The fuzzer's sessions may be ended by a route it fuzzes (sign-out, password change): renew them. */
async function ensureSessions(): Promise<void> {
  const probe = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: admin.headers, remoteAddress: nextIp() });
  if (probe.statusCode === 401 || probe.statusCode === 403) admin = await createOrgWithMember(ctx, 'admin', admin.orgId);
  const probeLower = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: lower.headers, remoteAddress: nextIp() });
  if (probeLower.statusCode === 401 || probeLower.statusCode === 403) lower = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
}

interface Case {
  who: 'admin' | 'lower' | 'anonymous';
  params: Record<string, unknown>;
  query: Record<string, unknown> | undefined;
  body: unknown;
  mutation: string;
  target: 'body' | 'query' | 'params';
}

const stats = { requests: 0, byStatus: new Map<number, number>(), routes: 0 };
const failures: string[] = [];
const stored: string[] = [];

/** Percent-encoding that also sends what a browser never would: a lone surrogate as its (invalid) UTF-8 bytes. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s
      .split(/([\ud800-\udfff])/)
      .map((part) => (/^[\ud800-\udfff]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
      .join('');
  }
}

function encodeQuery(q: Record<string, unknown> | undefined): string {
  if (!q || typeof q !== 'object') return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) parts.push(`${enc(k)}=${enc(typeof x === 'string' ? x : JSON.stringify(x) ?? '')}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Any generated value as path text (objects without a prototype have no toString). */
function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined ? 'x' : (JSON.stringify(v) ?? 'x');
}

function fillPath(url: string, given: Record<string, unknown> | null): string {
  // A mutation may have replaced the whole params object with a scalar or null.
  const params: Record<string, unknown> = given && typeof given === 'object' ? given : { '*': given };
  return url
    .replace(/:(\w+)/g, (_m, name: string) => enc(text(params[name])))
    .replace(/\*$/, enc(text(params['*'])));
}

for (const route of routes) {
  const op = docs.paths[route.url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}')]?.[route.method.toLowerCase()];
  const isPublic = !route.access || 'public' in route.access;
  const paramNames = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] as string).concat(route.url.endsWith('*') ? ['*'] : []);
  const paramSchemas = Object.fromEntries(paramNames.map((n) => [n, op?.parameters?.find((p) => p.in === 'path' && p.name === n)?.schema ?? { type: 'string' }]));
  const querySchema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries((op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema ?? { type: 'string' }])),
    required: (op?.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => p.name),
  };
  const content = op?.requestBody?.content ?? {};
  const multipart = content['multipart/form-data']?.schema;
  const bodySchema = content['application/json']?.schema ?? multipart;
  const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);

  const paramArb = fc.record(Object.fromEntries(paramNames.map((n) => [n, fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KNOWN_IDS) }, { weight: 2, arbitrary: fromSchema(paramSchemas[n]) }, { weight: 1, arbitrary: wrongValue })])));
  const caseArb: fc.Arbitrary<Case> = fc
    .record({
      who: isPublic ? fc.constantFrom<Case['who']>('anonymous', 'anonymous', 'admin') : fc.constantFrom<Case['who']>('admin', 'admin', 'admin', 'lower', 'anonymous'),
      params: paramArb,
      query: fromSchema(querySchema) as fc.Arbitrary<Record<string, unknown>>,
      body: hasBody ? fromSchema(bodySchema ?? { type: 'object', properties: {} }) : fc.constant(undefined),
      mutation: mutationArb,
      target: fc.constantFrom<Case['target']>(...(hasBody ? (['body', 'body', 'query', 'params'] as const) : (['query', 'params'] as const))),
      pick: fc.nat(),
      replacement: wrongValue,
    })
    .map(({ pick, replacement, ...c }) => {
      if (c.target === 'body') c.body = mutate(c.body, c.mutation as never, pick, replacement);
      else if (c.target === 'query') c.query = mutate(c.query, c.mutation as never, pick, replacement) as Record<string, unknown>;
      else if (paramNames.length) c.params = mutate(c.params, c.mutation === 'deep' || c.mutation === 'proto' || c.mutation === 'extra' || c.mutation === 'not-object' ? 'nul' : (c.mutation as never), pick, replacement) as Record<string, unknown>;
      return c;
    });

  stats.routes += 1;
  const routeStart = Date.now();
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      try {
        await runCase(c);
      } catch (err) {
        failures.push(`${route.method} ${route.url}: the harness threw ${(err as Error).stack ?? String(err)}`);
      }
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  if (process.env.FUZZ_VERBOSE) process.stderr.write(`${route.method} ${route.url} ${Date.now() - routeStart} ms\n`);

  async function runCase(c: Case): Promise<void> {
    const member: Member | null = c.who === 'admin' ? admin : c.who === 'lower' ? lower : null;
    const url = `${fillPath(route.url, c.params)}${encodeQuery(c.query && typeof c.query === 'object' && !Array.isArray(c.query) ? c.query : { q: c.query })}`;
    const headers: Record<string, string> = { ...(member?.headers ?? {}) };
    let payload: string | Buffer | undefined;
    if (hasBody && c.body !== undefined) {
      if (multipart && c.mutation !== 'not-object') {
        const fields = Object.fromEntries(
          Object.entries(c.body && typeof c.body === 'object' ? (c.body as Record<string, unknown>) : {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? '']),
        );
        delete fields.cv;
        delete fields.file;
        const m = multipartBody(fields, { field: 'cv', filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) });
        payload = m.body;
        headers['content-type'] = m.contentType;
      } else {
        payload = jsonWithDeep(c.body);
        headers['content-type'] = 'application/json';
      }
    }
    const before = await counts();
    let res: LightMyRequestResponse;
    try {
      if (process.env.FUZZ_VERBOSE === '2') process.stderr.write(`  ${route.method} ${url.slice(0, 200)} ${(typeof payload === 'string' ? payload : '').slice(0, 200)}\n`);
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 30 s')), 30_000);
      });
      res = await Promise.race([ctx.app.inject({ method: route.method as 'GET', url, headers, remoteAddress: nextIp(), ...(payload === undefined ? {} : { payload }) }), hung]).finally(() => clearTimeout(timer));
    } catch (err) {
      failures.push(`${route.method} ${route.url}: inject threw ${(err as Error).message}`);
      return;
    }
    stats.requests += 1;
    stats.byStatus.set(res.statusCode, (stats.byStatus.get(res.statusCode) ?? 0) + 1);
    const describe = (): string => `${route.method} ${url.slice(0, 160)} as ${c.who} [${c.mutation} in ${c.target}] ${(typeof payload === 'string' ? payload : '').slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
    if (res.statusCode >= 500) failures.push(describe());
    if (res.statusCode >= 400 && res.statusCode < 500) {
      const diff = changed(before, await counts());
      if (diff.length) stored.push(`${describe()} stored: ${diff.join(', ')}`);
      if (!/^application\/problem\+json/.test(String(res.headers['content-type'] ?? '')) && route.url.startsWith('/api')) failures.push(`${describe()} (not problem+json)`);
    }
    if (res.statusCode < 300 && route.method !== 'GET') await ensureSessions();
  }
}

t.comment(`fuzz routes: ${stats.requests} requests over ${stats.routes} routes (${RUNS} cases each, seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries([...stats.byStatus].sort((a, b) => a[0] - b[0])))}`);
t.ok(stats.routes > 50, `${stats.routes} routes enumerated from the app`);
t.same(failures, [], 'no response >= 500, every /api refusal is problem+json');
t.same(stored, [], 'nothing stored by a refused request');
