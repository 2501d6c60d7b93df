// issue 20 item 1: API tokens (bearer auth, scopes ∩ current role, session-only routes,
// per-token rate limit, audit attribution), Idempotency-Key and the OpenAPI description.
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { buildTestApp, connectOwner, createOrgWithMember, PUBLIC_URL, type Member } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { until } from '../support/until.js';
import { PERMISSIONS } from '../../server/core/permissions.js';
import { tokenAllowed } from '../../server/plugins/access.js';

const TOKEN_RATE = 40;
const ctx = await buildTestApp(t, { appDeps: { tokenRateLimit: TOKEN_RATE } });
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const jobB = await createJob(ctx, adminB, { title: 'B only' });

const JOB = {
  title: 'Integration Engineer',
  employmentType: 'full_time',
  status: 'open',
  location: 'Remote',
  description: 'Connect systems.',
  criteria: [{ name: 'APIs', description: 'HTTP APIs', weight: 3, mustHave: true }],
  interviewQuestions: ['Tell us about an integration you built.'],
};

interface Created {
  id: string;
  token: string;
  prefix: string;
  scopes: string[];
}

async function createToken(m: Member, scopes: readonly string[], extra: Record<string, unknown> = {}) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: m.headers, payload: { name: 'CI sync', scopes, expiresInDays: 30, ...extra } });
}

async function token(m: Member, scopes: readonly string[]): Promise<Created> {
  const res = await createToken(m, scopes);
  if (res.statusCode !== 201) throw new Error(`createToken ${res.statusCode} ${res.body}`);
  return res.json<Created>();
}

const bearer = (tok: string) => ({ authorization: `Bearer ${tok}` });
const jobCount = async (orgId: string) => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE org_id = $1', [orgId])).rows[0]?.n ?? 0;
const tokenCount = async () => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens')).rows[0]?.n ?? 0;

function isProblem(t: Test, res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, what: string): void {
  t.equal(res.statusCode, status, `${what}: ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
}

const full = await token(adminA, PERMISSIONS);

t.test('the secret is shown once and stored only as SHA-256 with a visible prefix', async (t) => {
  t.match(full.token, /^hbx_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  t.equal(full.token.slice(4, 16), full.prefix);
  const row = (await owner.query<{ secret_hash: Buffer; prefix: string }>('SELECT secret_hash, prefix FROM api_tokens WHERE id = $1', [full.id])).rows[0];
  t.same(row?.secret_hash, createHash('sha256').update(full.token).digest());
  const stored = JSON.stringify((await owner.query('SELECT * FROM api_tokens WHERE id = $1', [full.id])).rows);
  t.notOk(stored.includes(full.token.slice(17)), 'the secret part is not stored');
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: adminA.headers });
  t.equal(list.statusCode, 200);
  t.notOk(list.body.includes(full.token.slice(17)), 'listing never shows the secret');
  t.ok(list.json<{ tokens: { id: string }[] }>().tokens.some((x) => x.id === full.id));
  t.notOk(ctx.logs.some((l) => l.includes(full.token.slice(17))), 'the secret is not logged');
});

t.test('bearer works without CSRF or Origin; every use is attributed to the token', async (t) => {
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(full.token) });
  t.equal(list.statusCode, 200);
  const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...bearer(full.token), origin: 'https://evil.example' }, payload: JOB });
  t.equal(created.statusCode, 201, created.body);
  const jobId = created.json<{ id: string }>().id;
  const events = (await owner.query<{ actor_type: string; actor_id: string; metadata: { tokenOwnerUserId?: string } }>(
    "SELECT actor_type, actor_id, metadata FROM audit_events WHERE org_id = $1 AND target_id = $2", [adminA.orgId, jobId])).rows;
  t.ok(events.length > 0, 'the job creation is audited');
  for (const e of events) {
    t.equal(e.actor_type, 'token');
    t.equal(e.actor_id, full.id);
    t.equal(e.metadata.tokenOwnerUserId, adminA.userId);
  }
  const verify = await ctx.audit.verify(adminA.orgId);
  t.ok(verify.ok, 'the chain still verifies');
  const used = await until('last used recorded', async () => (await owner.query<{ last_used_at: Date | null; last_used_ip: string | null }>('SELECT last_used_at, last_used_ip FROM api_tokens WHERE id = $1', [full.id])).rows.find((r) => r.last_used_at));
  t.equal(used.last_used_ip, '127.0.0.1');
  const useEvents = (await owner.query<{ actor_type: string; actor_id: string; metadata: { ip?: string; tokenOwnerUserId?: string } }>(
    "SELECT actor_type, actor_id, metadata FROM audit_events WHERE org_id = $1 AND action = 'api_token.used' AND target_id = $2", [adminA.orgId, full.id])).rows;
  t.equal(useEvents.length, 1, 'use is audited, throttled to once a minute per token and IP');
  t.same(useEvents[0], { actor_type: 'token', actor_id: full.id, metadata: { ip: '127.0.0.1', tokenOwnerUserId: adminA.userId } });
  // A cookie session still needs CSRF.
  const noCsrf = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { cookie: adminA.cookie, origin: 'https://evil.example' }, payload: JOB });
  isProblem(t, noCsrf, 403, 'cookie without CSRF');
});

t.test('malformed, unknown, revoked and expired tokens: 401 problem, nothing changed', async (t) => {
  const before = await jobCount(adminA.orgId);
  const post = (headers: Record<string, string>) => ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: JOB });
  isProblem(t, await post({ authorization: 'Bearer not-a-token' }), 401, 'malformed token');
  isProblem(t, await post({ authorization: 'Basic abc' }), 401, 'not a bearer header');
  isProblem(t, await post(bearer(`hbx_${'0'.repeat(12)}_${'A'.repeat(43)}`)), 401, 'unknown token');
  const revoked = await token(adminA, ['jobs:read', 'jobs:write']);
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${revoked.id}`, headers: adminA.headers })).statusCode, 204);
  const r = await post(bearer(revoked.token));
  isProblem(t, r, 401, 'revoked token');
  t.notOk(r.body.includes(revoked.token), 'the token is not echoed');
  const expired = await token(adminA, ['jobs:read', 'jobs:write']);
  await owner.query("UPDATE api_tokens SET created_at = now() - interval '3 days', expires_at = now() - interval '1 day' WHERE id = $1", [expired.id]);
  isProblem(t, await post(bearer(expired.token)), 401, 'expired token');
  t.equal(await jobCount(adminA.orgId), before, 'no job was created');
  const audited = (await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND action = 'api_token.revoked' AND target_id = $2", [adminA.orgId, revoked.id])).rows[0]?.n;
  t.equal(audited, 1, 'revocation is audited');
});

t.test('out-of-scope token: 403 problem, nothing changed, denial audited', async (t) => {
  const readOnly = await token(adminA, ['jobs:read']);
  const before = await jobCount(adminA.orgId);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: bearer(readOnly.token), payload: JOB });
  isProblem(t, res, 403, 'jobs:write missing');
  t.equal(res.json<{ permission: string }>().permission, 'jobs:write');
  t.equal(await jobCount(adminA.orgId), before);
  const denial = (await owner.query<{ actor_type: string; actor_id: string }>("SELECT actor_type, actor_id FROM audit_events WHERE org_id = $1 AND action = 'access.denied' ORDER BY seq DESC LIMIT 1", [adminA.orgId])).rows[0];
  t.same(denial, { actor_type: 'token', actor_id: readOnly.id });
});

t.test('tokens cannot carry more than the creator\'s role; nothing stored', async (t) => {
  const before = await tokenCount();
  const res = await createToken(recruiterA, ['jobs:read', 'members:manage']);
  isProblem(t, res, 403, 'recruiter asks for members:manage');
  t.same(res.json<{ scopes: string[] }>().scopes, ['members:manage']);
  isProblem(t, await createToken(recruiterA, ['jobs:fly']), 400, 'unknown scope');
  isProblem(t, await createToken(recruiterA, ['jobs:read'], { expiresInDays: 400 }), 400, 'expiry beyond a year');
  isProblem(t, await createToken(recruiterA, ['jobs:read'], { expiresInDays: undefined }), 400, 'expiry missing');
  isProblem(t, await createToken(recruiterA, []), 400, 'no scopes');
  t.equal(await tokenCount(), before);
  // A token cannot mint tokens (token administration is session-only).
  const viaToken = await ctx.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: bearer(full.token), payload: { name: 'x', scopes: ['jobs:read'], expiresInDays: 1 } });
  isProblem(t, viaToken, 403, 'token minting a token');
  t.equal(await tokenCount(), before);
});

t.test('listing and revoking: own tokens; admins all of their org; never another org\'s', async (t) => {
  const mine = await token(recruiterA, ['jobs:read']);
  const listed = async (m: Member) => (await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: m.headers })).json<{ tokens: { id: string; userId: string }[] }>().tokens;
  const recruiterSees = await listed(recruiterA);
  t.ok(recruiterSees.every((x) => x.userId === recruiterA.userId), 'a recruiter sees only their own');
  t.ok(recruiterSees.some((x) => x.id === mine.id));
  t.ok((await listed(adminA)).some((x) => x.id === mine.id), 'the admin sees the recruiter\'s token');
  t.notOk((await listed(adminB)).some((x) => x.id === mine.id), 'another org\'s admin does not');
  isProblem(t, await ctx.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${full.id}`, headers: recruiterA.headers }), 404, 'recruiter revoking the admin\'s token');
  isProblem(t, await ctx.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${mine.id}`, headers: adminB.headers }), 404, 'org B revoking org A\'s token');
  isProblem(t, await ctx.app.inject({ method: 'DELETE', url: '/api/v1/api-tokens/not-a-uuid', headers: adminA.headers }), 400, 'malformed id');
  isProblem(t, await createToken(recruiterA, ['jobs:read'], { name: 'x'.repeat(101) }), 400, 'oversized name');
  const stillWorks = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(mine.token) });
  t.equal(stillWorks.statusCode, 200, 'nothing was revoked');
  t.equal((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE id IN ($1, $2) AND revoked_at IS NOT NULL', [full.id, mine.id])).rows[0]?.n, 0);
  // The admin revokes the recruiter's (e.g. leaked) token.
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${mine.id}`, headers: adminA.headers })).statusCode, 204);
  isProblem(t, await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(mine.token) }), 401, 'revoked by the admin');
});

t.test('a lowered role or lost membership limits the token at use time', async (t) => {
  const member = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
  const tok = await token(member, ['jobs:read', 'jobs:write']);
  t.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: bearer(tok.token), payload: JOB })).statusCode, 201);
  const lowered = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/members/${member.userId}`, headers: adminA.headers, payload: { role: 'hiring_manager' } });
  t.equal(lowered.statusCode, 204);
  const before = await jobCount(adminA.orgId);
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: bearer(tok.token), payload: JOB }), 403, 'hiring manager via old recruiter token');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(tok.token) })).statusCode, 200, 'jobs:read still in both');
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/members/${member.userId}`, headers: adminA.headers })).statusCode, 204);
  isProblem(t, await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(tok.token) }), 401, 'former member');
  t.equal(await jobCount(adminA.orgId), before);
});

t.test('a token of org A on org B\'s resources: 404', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobB.id}`, headers: bearer(full.token) });
  isProblem(t, res, 404, 'B\'s job through A\'s token');
  const patch = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${jobB.id}`, headers: bearer(full.token), payload: { title: 'Hijacked' } });
  isProblem(t, patch, 404, 'B\'s job patched through A\'s token');
  t.equal((await owner.query<{ title: string }>('SELECT title FROM jobs WHERE id = $1', [jobB.id])).rows[0]?.title, 'B only');
});

t.test('every session-only route refuses a full-scope admin token with 403', async (t) => {
  const id = '00000000-0000-4000-8000-000000000000';
  let sessionOnly = 0;
  for (const r of ctx.app.routeAccess) {
    if (!r.url.startsWith('/api') || !r.access || 'public' in r.access || r.method === 'HEAD') continue;
    const url = r.url.replace(/:[A-Za-z]+/g, id);
    if (tokenAllowed(r.access)) {
      if (r.method !== 'GET') continue;
      const res = await ctx.app.inject({ method: 'GET', url, headers: bearer(full.token) });
      t.notOk([401, 403].includes(res.statusCode), `GET ${r.url} is open to a full-scope token (${res.statusCode})`);
      continue;
    }
    sessionOnly += 1;
    const res = await ctx.app.inject({ method: r.method as 'GET', url, headers: bearer(full.token), payload: r.method === 'GET' ? undefined : {} });
    isProblem(t, res, 403, `${r.method} ${r.url}`);
  }
  // MFA, sessions, SSO, member administration, token administration.
  for (const must of ['POST /api/v1/members/invitations', 'POST /api/v1/api-tokens', 'GET /api/v1/me']) {
    const [method, url] = must.split(' ');
    const rule = ctx.app.routeAccess.find((r) => r.method === method && r.url === url)?.access;
    t.ok(rule && !tokenAllowed(rule), `${must} is session-only`);
  }
  t.ok(sessionOnly >= 20, `${sessionOnly} session-only routes walked`);
});

t.test('per-token rate limit, keyed by token not by IP', async (t) => {
  const a = await token(adminA, ['jobs:read']);
  const b = await token(adminA, ['jobs:read']);
  let last = 0;
  for (let i = 0; i <= TOKEN_RATE; i += 1) last = (await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(a.token) })).statusCode;
  t.equal(last, 429, 'the token\'s budget is spent');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(b.token) })).statusCode, 200, 'another token from the same IP is unaffected');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: adminA.headers })).statusCode, 200, 'the session from the same IP is unaffected');
});

t.test('Idempotency-Key on create: replay, 422 on another body, scoped per principal', async (t) => {
  const tok = await token(adminA, ['jobs:read', 'jobs:write']);
  const headers = { ...bearer(tok.token), 'idempotency-key': 'job-create-1' };
  const before = await jobCount(adminA.orgId);
  const first = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: JOB });
  t.equal(first.statusCode, 201);
  const again = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: JOB });
  t.equal(again.statusCode, 201);
  t.equal(again.body, first.body, 'same body replayed');
  t.equal(again.headers['idempotency-replayed'], 'true');
  const other = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: { ...JOB, title: 'Something else' } });
  isProblem(t, other, 422, 'same key, another body');
  t.equal(await jobCount(adminA.orgId), before + 1, 'one job for three requests');
  // The same key from another principal is a different key (a fresh token: the full-scope
  // one may have spent its per-token budget on the route walk above).
  const another = await token(adminA, ['jobs:read', 'jobs:write']);
  const mine = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...bearer(another.token), 'idempotency-key': 'job-create-1' }, payload: JOB });
  t.equal(mine.statusCode, 201);
  t.not(mine.json<{ id: string }>().id, first.json<{ id: string }>().id);
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...bearer(tok.token), 'idempotency-key': 'bad key \u00e9' }, payload: JOB }), 400, 'malformed key');
  // Concurrent duplicates: one creation; the others replay it or get 409 while it runs.
  const countBefore = await jobCount(adminA.orgId);
  const burst = await Promise.all(Array.from({ length: 5 }, () => ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...bearer(tok.token), 'idempotency-key': 'burst' }, payload: JOB })));
  t.equal(await jobCount(adminA.orgId), countBefore + 1, 'exactly one job from a burst');
  const winner = burst.find((r) => r.statusCode === 201 && r.headers['idempotency-replayed'] === undefined);
  t.ok(winner, 'one request created it');
  for (const r of burst) {
    if (r.statusCode === 409) t.match(r.json<{ type: string }>().type, /idempotency-key-in-use/);
    else t.equal(r.body, winner?.body);
  }
});

t.test('OpenAPI: bearer and cookie schemes, per-operation security, a summary everywhere, servers', async (t) => {
  const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs' })).json<{
    servers: { url: string }[];
    components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
    paths: Record<string, Record<string, { summary?: string; operationId?: string; security?: Record<string, string[]>[] }>>;
  }>();
  t.same(doc.servers, [{ url: new URL(PUBLIC_URL).origin }]);
  t.equal(doc.components.securitySchemes.bearer?.scheme, 'bearer');
  t.equal(doc.components.securitySchemes.session?.type, 'apiKey');
  const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));
  t.ok(ops.length > 100, `${ops.length} operations`);
  t.same(ops.filter((o) => !o.op.summary || o.op.summary.trim().length < 4).map((o) => o.name), [], 'every operation has a summary');
  t.same(ops.filter((o) => !Array.isArray(o.op.security)).map((o) => o.name), [], 'every operation declares its security');
  t.same(doc.paths['/api/v1/public/jobs/{orgSlug}/{jobSlug}/apply']?.post?.security, [], 'public operations need no credentials');
  t.same(doc.paths['/api/v1/jobs']?.post?.security, [{ bearer: [] }, { session: [] }]);
  t.same(doc.paths['/api/v1/api-tokens']?.post?.security, [{ session: [] }]);
  t.same(doc.paths['/api/v1/members/invitations']?.post?.security, [{ session: [] }]);
});
