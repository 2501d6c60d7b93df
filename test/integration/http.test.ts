import t from 'tap';
import Fastify from 'fastify';
import { buildTestApp, createOrgWithMember } from '../helper.js';
import { accessPlugin } from '../../server/plugins/access.js';
import cookie from '@fastify/cookie';
import { createAuditLog } from '../../server/core/audit.js';
import { createSessionService } from '../../server/modules/auth/service.js';
import { createDenialRecorder } from '../../server/modules/audit/denials.js';
import { ROLES, can, type Permission } from '../../server/core/permissions.js';

const ctx = await buildTestApp(t);
const admin = await createOrgWithMember(ctx, 'admin');
const other = await createOrgWithMember(ctx, 'admin');
const routes: { method: string; url: string; access: unknown }[] = [];
const csrfMember = await createOrgWithMember(ctx, 'recruiter', admin.orgId);

t.test('every /api route declares an access rule (enumerated from the running app)', async (t) => {
  const apiRoutes = ctx.app.routeAccess.filter((r) => r.url.startsWith('/api') && r.method !== 'HEAD');
  t.ok(apiRoutes.length >= 4, `${apiRoutes.length} API routes enumerated`);
  for (const r of apiRoutes) {
    t.ok(r.access, `${r.method} ${r.url} has config.access`);
    routes.push(r);
  }
});

t.test('the app refuses to start if an /api route lacks an access rule', async (t) => {
  const app = Fastify();
  await app.register(cookie);
  await app.register(accessPlugin, {
    sessions: createSessionService({ db: ctx.db, clock: () => new Date() }),
    denials: createDenialRecorder({ db: ctx.db, audit: createAuditLog({ db: ctx.db }) }),
    publicOrigin: 'http://localhost:3000',
    cookie: { name: 'hirebox', secure: false },
  });
  void app.register(async (child) => {
    child.get('/api/v1/forgotten', async () => ({ leaked: true }));
  });
  await t.rejects(async () => {
    await app.ready();
  }, /route GET \/api\/v1\/forgotten has no access rule/);
});

t.test('unknown routes and malformed input give problem+json', async (t) => {
  const unknown = await ctx.app.inject({ method: 'GET', url: '/api/v1/nope' });
  t.equal(unknown.statusCode, 404);
  t.match(unknown.headers['content-type'], /^application\/problem\+json/);
  t.match(unknown.json(), { status: 404, title: 'Not Found', requestId: String });
  const badJson = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: '{"a":' });
  t.equal(badJson.statusCode, 400);
  t.match(badJson.headers['content-type'], /^application\/problem\+json/);
  const tooBig = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: `{"a":"${'x'.repeat(1_100_000)}"}` });
  t.equal(tooBig.statusCode, 413);
  t.match(tooBig.headers['content-type'], /^application\/problem\+json/);
  const wrongType = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...admin.headers, 'content-type': 'application/x-unknown' }, payload: 'zzz' });
  t.equal(wrongType.statusCode, 415);
  t.match(wrongType.headers['content-type'], /^application\/problem\+json/);
  t.notMatch(JSON.stringify(badJson.json()), /at .*\.(ts|js):\d+/, 'no stack trace outside development');
});

t.test('unauthenticated, unauthorised and cross-tenant requests', async (t) => {
  const anon = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/events' });
  t.equal(anon.statusCode, 401);
  t.match(anon.headers['content-type'], /^application\/problem\+json/);
  const forged = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: { cookie: 'hirebox=forged-token-value' } });
  t.equal(forged.statusCode, 401);
  const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
  const denied = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: { cookie: recruiter.cookie } });
  t.equal(denied.statusCode, 403);
  t.match(denied.json(), { permission: 'audit:read' });
  const logged = await ctx.db.withTenant(admin.orgId, (q) => q.query("SELECT metadata FROM audit_events WHERE action = 'access.denied'"));
  t.equal(logged.rowCount, 1, 'the denial is in the audit log');
  const mine = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/events?limit=200', headers: { cookie: admin.cookie } });
  const otherOrgEvents = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/events?limit=200', headers: { cookie: other.cookie } });
  const mineIds = new Set(mine.json<{ events: { id: string }[] }>().events.map((e) => e.id));
  const theirIds = otherOrgEvents.json<{ events: { id: string }[] }>().events.map((e) => e.id);
  t.ok(theirIds.length > 0 && theirIds.every((id) => !mineIds.has(id)), 'each org sees only its own audit events');
});

t.test('the permission matrix: every role x route answers as the matrix says', async (t) => {
  const members = await Promise.all(ROLES.map((role) => createOrgWithMember(ctx, role, admin.orgId)));
  for (const r of routes.filter((r) => r.method === 'GET' && r.url.startsWith('/api') && !r.url.includes(':'))) {
    const access = r.access as { permission?: Permission; public?: string; authenticated?: true };
    for (const m of members) {
      const res = await ctx.app.inject({ method: 'GET', url: r.url, headers: { cookie: m.cookie } });
      const allowed = access.public !== undefined || access.authenticated === true || (access.permission !== undefined && can(m.role, access.permission));
      t.equal(res.statusCode === 403, !allowed, `${m.role} ${r.method} ${r.url} -> ${res.statusCode}`);
    }
  }
});

t.test('CSRF: unsafe methods need the same Origin and the session CSRF token', async (t) => {
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: csrfMember.cookie } });
  t.equal(me.json<{ csrfToken: string }>().csrfToken, csrfMember.csrfToken, '/me hands out the CSRF token');
  const noOrigin = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: csrfMember.cookie, 'x-csrf-token': csrfMember.csrfToken } });
  t.equal(noOrigin.statusCode, 403, 'missing Origin');
  const foreign = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...csrfMember.headers, origin: 'https://evil.example' } });
  t.equal(foreign.statusCode, 403, 'foreign Origin');
  const noToken = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: csrfMember.cookie, origin: csrfMember.headers.origin as string } });
  t.equal(noToken.statusCode, 403, 'missing token');
  const wrongToken = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...csrfMember.headers, 'x-csrf-token': admin.csrfToken } });
  t.equal(wrongToken.statusCode, 403, "another session's token");
  t.match(wrongToken.headers['content-type'], /^application\/problem\+json/);
  const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: csrfMember.headers });
  t.equal(ok.statusCode, 204, 'same origin + token signs out');
  t.match(String(ok.headers['set-cookie']), /^hirebox=;.*Max-Age=0/i);
  const after = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: csrfMember.cookie } });
  t.equal(after.statusCode, 401, 'the session is revoked');
});

t.test('security headers: strict CSP, no HSTS from the app, request ids', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.notMatch(csp, /unsafe-inline/);
  t.match(csp, /frame-ancestors 'none'/);
  t.equal(res.headers['strict-transport-security'], undefined, 'Caddy sets HSTS once, not the app');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

t.test('/readyz checks Postgres, Redis and migrations', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ready', checks: { postgres: 'ok', migrations: 'ok', redis: 'ok' } });
});

t.test('OpenAPI document is served at /api/docs', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/docs' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { openapi: '3.1.0', paths: { '/api/v1/audit/verify': {} } });
});

t.test('logs carry no secrets, cookies or PII', async (t) => {
  await ctx.app.inject({ method: 'GET', url: '/api/v1/me?email=leak%40example.com', headers: { cookie: admin.cookie, authorization: 'Bearer sk-should-not-appear' } });
  ctx.app.log.info('contact person@example.com or +44 20 7946 0958 about /i/abcdefghijklmnopqrstuvwxyz123456');
  const text = ctx.logs.join('\n');
  t.ok(ctx.logs.length > 0, 'logs were captured');
  t.notMatch(text, admin.cookie.split('=')[1] as string);
  t.notMatch(text, /sk-should-not-appear/);
  t.notMatch(text, /person@example\.com|leak@example\.com|leak%40example/);
  t.notMatch(text, /7946 0958/);
  t.notMatch(text, /abcdefghijklmnopqrstuvwxyz123456/);
});
