// Issue 14 L2 regression: a NUL byte (or an unpaired surrogate) in any string input used to
// reach Postgres and come back as an unhandled 500 (POST /api/v1/jobs title,
// GET /api/v1/jobs?q=%00). Now the app answers 400 problem+json, in body, query, params,
// JSON keys and multipart fields, and stores nothing; bidi control characters are refused
// in names and titles shown to others. A walk over every registered route sends a NUL in
// each string input it takes and sees no 5xx.
import t from 'tap';
import type { Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { countRows, createJob, HIRING_TABLES } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin);
const { rows: orgRows } = await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId]);
const orgSlug = orgRows[0]?.slug ?? '';
const NUL = 'Back\u0000end';

function isInputProblem(t: Test, res: LightMyRequestResponse, path: string | RegExp): void {
  t.equal(res.statusCode, 400, `400 for ${String(path)}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.json(), { status: 400, errors: [{ path, message: 'must not contain NUL or unpaired surrogate characters' }] });
}

const jobCount = async (): Promise<number> => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows[0]?.n ?? -1;
const jobBody = { title: 'Engineer', employmentType: 'full_time', description: 'Build things.' };

t.test('NUL in a JSON body, query, path parameter or object key: 400 problem, nothing stored', async (t) => {
  const before = await jobCount();
  isInputProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: admin.headers, payload: { ...jobBody, title: NUL } }), 'body/title');
  isInputProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: admin.headers, payload: { ...jobBody, criteria: [{ name: 'ok', description: NUL }] } }), 'body/criteria/0/description');
  isInputProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: admin.headers, payload: { ...jobBody, ['x\u0000y']: 1 } }), 'body/x?y');
  // An escaped lone surrogate: valid JSON, not storable as UTF-8 text.
  const surrogate = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: '{"title":"Eng\\ud800ineer","employmentType":"full_time"}' });
  isInputProblem(t, surrogate, 'body/title');
  t.equal(await jobCount(), before, 'no job was created');
  isInputProblem(t, await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs?q=%00', headers: admin.headers }), 'querystring/q');
  isInputProblem(t, await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs/%00', headers: admin.headers }), 'params/id');
  isInputProblem(t, await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlug}/%00` }), 'params/jobSlug');
  // A paired surrogate (an emoji) is ordinary text.
  const emoji = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: admin.headers, payload: { ...jobBody, title: 'Engineer \u{1F680}' } });
  t.equal(emoji.statusCode, 201, 'an emoji title is fine');
});

t.test('NUL in a multipart field of the public apply form: 400 problem, nothing stored', async (t) => {
  const before = await countRows(owner, HIRING_TABLES);
  const pdf = { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) };
  const apply = (fields: Record<string, string>, file = pdf) => {
    const { body, contentType } = multipartBody({ name: 'Ada Lovelace', email: 'ada@example.test', consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, ...fields }, file);
    return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body });
  };
  isInputProblem(t, await apply({ name: 'Ada\u0000Lovelace' }), 'body/name');
  isInputProblem(t, await apply({ location: 'Lon\u0000don' }), 'body/location');
  isInputProblem(t, await apply({ 'demographics.gender': 'x\u0000' }), 'body/demographics.gender');
  isInputProblem(t, await apply({ noticeVersion: `${PRIVACY_NOTICE_VERSION}\u0000` }), 'body/noticeVersion');
  isInputProblem(t, await apply({}, { ...pdf, filename: 'cv\u0000.pdf' }), 'body/cv/filename');
  const bidi = await apply({ name: 'Ada \u202Eecalevol' });
  t.equal(bidi.statusCode, 400, 'a bidi override in a candidate name is refused');
  t.match(bidi.json(), { errors: [{ path: 'body/name', message: 'must not be blank or contain bidirectional control characters' }] });
  t.same(await countRows(owner, HIRING_TABLES), before, 'no candidate, application or document was stored');
  t.equal((await apply({ email: 'grace@example.test', name: 'Grace Hopper' })).statusCode, 202, 'a clean application still goes through');
});

t.test('bidi control characters are refused in job titles, stage and template names; free text keeps them', async (t) => {
  const before = await jobCount();
  for (const ch of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C']) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: admin.headers, payload: { ...jobBody, title: `Senior ${ch}reganaM` } });
    t.equal(res.statusCode, 400, `U+${ch.codePointAt(0)?.toString(16).toUpperCase()} refused`);
    t.match(res.json(), { errors: [{ path: 'body/title', message: 'must not be blank or contain bidirectional control characters' }] });
  }
  t.equal(await jobCount(), before, 'nothing stored');
  const patch = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${job.id}`, headers: admin.headers, payload: { title: 'Admin\u202E' } });
  t.equal(patch.statusCode, 400, 'nor on update');
  const template = await ctx.app.inject({ method: 'POST', url: '/api/v1/message-templates', headers: admin.headers, payload: { name: 'Offer \u2067x', kind: 'offer', subject: 'Hi', body: 'Hello' } });
  t.equal(template.statusCode, 400, 'template names too');
  const rtl = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: admin.headers, payload: { ...jobBody, title: 'مهندس', description: 'English \u200Fمع نص عربي\u200F and more' } });
  t.equal(rtl.statusCode, 201, 'right-to-left titles and marks in free text are fine');
  const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
  await t.rejects(orgs.createOrg({ name: 'Acme \u202Egnp.exe', adminEmail: 'x@bidi.test' }), { name: 'ValidationError', message: 'The organisation cannot be created.' }, 'org names (hirebox org create) refuse them too');
});

// --- The walk: every registered route, a NUL in each string input it takes. ---
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; format?: string; enum?: unknown[]; const?: unknown };

/** A value for `schema`; the string leaf at `target` (a counter) gets the NUL. */
function sample(schema: Schema | undefined, state: { target: number; seen: number }): unknown {
  if (!schema) return 'ok';
  const branch = schema.anyOf ?? schema.oneOf;
  if (branch) return sample(branch.find((s) => s.type !== 'null') ?? branch[0], state);
  if (schema.const !== undefined) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  if (type === 'object' || schema.properties) return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, sample(s, state)]));
  if (type === 'array') return [sample(schema.items, state)];
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return true;
  if (schema.enum) return schema.enum[0];
  state.seen += 1;
  if (state.seen - 1 === state.target) return 'x\u0000y';
  return schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : schema.format === 'email' ? 'a@example.test' : 'ok';
}

t.test('every route: a NUL in each path parameter, query field and body string gives no 5xx', async (t) => {
  const docs = (ctx.app as unknown as { swagger(): { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>> } }).swagger();
  const routes = ctx.app.routeAccess.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
  t.ok(routes.length > 50, `${routes.length} routes`);
  const failures: string[] = [];
  let requests = 0;
  let refused = 0;
  const send = async (method: string, url: string, payload?: unknown): Promise<void> => {
    requests += 1;
    const res = await ctx.app.inject({ method: method as 'GET', url, headers: admin.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    if (res.statusCode >= 500) failures.push(`${method} ${url} ${JSON.stringify(payload ?? null).slice(0, 120)} -> ${res.statusCode}`);
    if (res.statusCode === 400) refused += 1;
  };
  for (const route of routes) {
    const op = docs.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
    const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    const fill = (nulAt: string | null) => route.url.replace(/:(\w+)/g, (_m, name: string) => (name === nulAt ? '%00' : name.toLowerCase().includes('slug') ? orgSlug : job.id)).replace(/\*$/, 'x');
    for (const p of params) await send(route.method, fill(p));
    if (route.url.endsWith('*')) await send(route.method, route.url.replace(/\*$/, '%00'));
    const query = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    for (const q of query.length ? query : ['q']) await send(route.method, `${fill(null)}?${q}=%00`);
    const bodySchema = op?.requestBody?.content?.['application/json']?.schema;
    if (bodySchema && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method)) {
      const leaves = { target: -1, seen: 0 };
      sample(bodySchema, leaves);
      for (let i = 0; i < leaves.seen; i++) await send(route.method, fill(null), sample(bodySchema, { target: i, seen: 0 }));
    }
  }
  t.comment(`${requests} requests over ${routes.length} routes, ${refused} answered 400`);
  t.same(failures, [], 'no 5xx anywhere');
  t.ok(refused > requests / 2, 'most were refused up front');
});
