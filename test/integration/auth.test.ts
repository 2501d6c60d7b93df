import t from 'tap';
import { totpCode } from '../../server/modules/auth/totp.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { buildTestApp, connectOwner, ORIGIN } from '../helper.js';
import { browser, cookieFrom, enrolMfa, login } from '../support/auth.js';

// A clock the test moves: sessions, TOTP steps and expiry all read it.
let nowMs = Date.parse('2026-11-23T09:00:00Z');
const clock = (): Date => new Date(nowMs);
const advance = (ms: number): void => {
  nowMs += ms;
};

const ctx = await buildTestApp(t, { clock });
const owner = await connectOwner(t, ctx);
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock });
const PASSWORD = 'violet tractor harbour 42';
const acme = await orgs.createOrg({ name: 'Acme', adminEmail: 'ada@acme.test', adminPassword: PASSWORD });
const state: { secret?: string; recoveryCodes?: string[] } = {};

const apiRoutes = ctx.app.routeAccess.filter((r) => r.url.startsWith('/api') && r.method !== 'HEAD');
const concrete = (url: string): string => url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');

t.test('first sign-in: password, then MFA enrolment is the only way forward', async (t) => {
  const { res, browser: pending } = await login(ctx.app, 'ADA@acme.test ', PASSWORD);
  t.equal(res.statusCode, 200);
  t.equal(res.json<{ mfa: string }>().mfa, 'enroll');
  if (!pending) return;
  // A half-authenticated session can do nothing but MFA (and sign out): walk every route.
  for (const r of apiRoutes) {
    const access = r.access as { public?: string; mfaPending?: true } | undefined;
    if (!access || access.public !== undefined || access.mfaPending) continue;
    const reply = await ctx.app.inject({ method: r.method as 'GET', url: concrete(r.url), headers: pending.headers, payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
    t.ok([401, 403].includes(reply.statusCode), `${r.method} ${r.url} -> ${reply.statusCode} while MFA is pending`);
  }
  const enrolled = await enrolMfa(ctx.app, pending, clock);
  t.equal(enrolled.recoveryCodes.length, 10);
  state.secret = enrolled.secret;
  state.recoveryCodes = enrolled.recoveryCodes;
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: enrolled.browser.headers });
  t.equal(me.statusCode, 200);
  t.equal(me.json<{ role: string }>().role, 'admin');
  const old = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: pending.headers });
  t.equal(old.statusCode, 401, 'the pre-MFA token was rotated away');
  const stored = await owner.query('SELECT totp_secret_enc FROM users WHERE email = $1', [acme.userId ? 'ada@acme.test' : '']);
  t.notMatch(stored.rows[0].totp_secret_enc.toString('latin1'), enrolled.secret, 'the TOTP secret is stored encrypted');
  const codes = await owner.query('SELECT code_hash FROM recovery_codes');
  t.equal(codes.rowCount, 10);
  t.notOk(codes.rows.some((r: { code_hash: Buffer }) => enrolled.recoveryCodes.some((c) => r.code_hash.toString('utf8').includes(c))), 'recovery codes stored hashed');
});

t.test('a TOTP code cannot be replayed; the next step works', async (t) => {
  advance(60_000);
  const secret = state.secret as string;
  const code = await totpCode(secret, clock());
  const first = await login(ctx.app, 'ada@acme.test', PASSWORD);
  t.equal(first.res.json<{ mfa: string }>().mfa, 'required');
  const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: first.browser?.headers, payload: { code } });
  t.equal(ok.statusCode, 200);
  const second = await login(ctx.app, 'ada@acme.test', PASSWORD);
  const replay = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: second.browser?.headers, payload: { code } });
  t.equal(replay.statusCode, 401, 'same code, same step: refused');
  t.match(replay.headers['content-type'], /problem\+json/);
  advance(30_000);
  const fresh = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: second.browser?.headers, payload: { code: await totpCode(secret, clock()) } });
  t.equal(fresh.statusCode, 200);
});

t.test('a recovery code works once', async (t) => {
  const code = (state.recoveryCodes as string[])[0] as string;
  const a = await login(ctx.app, 'ada@acme.test', PASSWORD);
  const used = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: a.browser?.headers, payload: { recoveryCode: code.toUpperCase() } });
  t.equal(used.statusCode, 200);
  const b = await login(ctx.app, 'ada@acme.test', PASSWORD);
  const again = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: b.browser?.headers, payload: { recoveryCode: code } });
  t.equal(again.statusCode, 401);
  const events = await ctx.db.withTenant(acme.orgId, (q) => q.query("SELECT metadata FROM audit_events WHERE action = 'auth.recovery_code_used'"));
  t.same(events.rows.map((r: { metadata: { remaining: number } }) => r.metadata.remaining), [9]);
});

async function fullSession(): Promise<ReturnType<typeof browser>> {
  advance(30_000);
  const a = await login(ctx.app, 'ada@acme.test', PASSWORD);
  const v = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: a.browser?.headers, payload: { code: await totpCode(state.secret as string, clock()) } });
  if (v.statusCode !== 200) throw new Error(v.body);
  return browser(cookieFrom(v), v.json<{ csrfToken: string }>().csrfToken);
}

t.test('session fixation: a cookie the client brings is never adopted', async (t) => {
  const planted = 'hirebox=attacker-chosen-token-value-0000000000000';
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ada@acme.test', password: PASSWORD }, headers: { origin: ORIGIN, cookie: planted } });
  t.equal(res.statusCode, 200);
  t.not(cookieFrom(res), planted, 'a fresh token was issued');
  const withPlanted = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: { cookie: planted, origin: ORIGIN, 'x-csrf-token': 'x' } });
  t.equal(withPlanted.statusCode, 403);
});

t.test('idle timeout (30 min) and absolute lifetime (12 h), with the injected clock', async (t) => {
  const idle = await fullSession();
  advance(29 * 60_000);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: idle.headers })).statusCode, 200, 'active at 29 min');
  advance(31 * 60_000);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: idle.headers })).statusCode, 401, 'expired after 31 idle minutes');
  const busy = await fullSession();
  for (let i = 0; i < 35; i++) {
    advance(20 * 60_000);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: busy.headers });
    if (i < 35 && (i + 1) * 20 < 12 * 60) t.equal(res.statusCode, 200, `alive after ${((i + 1) * 20) / 60} h of activity`);
    else {
      t.equal(res.statusCode, 401, 'gone at the 12 hour absolute limit');
      break;
    }
  }
});

t.test('revocation is effective on the next request; sign out everywhere', async (t) => {
  const a = await fullSession();
  const b = await fullSession();
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: a.headers });
  const sessions = list.json<{ sessions: { id: string; current: boolean }[] }>().sessions;
  t.ok(sessions.length >= 2);
  const other = sessions.find((s) => !s.current) as { id: string };
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: b.headers })).statusCode, 200, 'b is warm in the session cache');
  const revokeAll = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout-everywhere', headers: a.headers });
  t.equal(revokeAll.statusCode, 204);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: b.headers })).statusCode, 401, 'b is out at once');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: a.headers })).statusCode, 401);
  const c = await fullSession();
  const gone = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${other.id}`, headers: c.headers });
  t.equal(gone.statusCode, 404, 'an already revoked session is not listed');
});

t.test('cookie flags from real responses (https PUBLIC_URL)', async (t) => {
  const secure = await buildTestApp(t, { env: { PUBLIC_URL: 'https://hirebox.example' } });
  const o = createOrgService({ db: secure.db, audit: secure.audit, publicUrl: secure.config.publicUrl, clock: () => new Date() });
  await o.createOrg({ name: 'Secure', adminEmail: 'sec@secure.test', adminPassword: PASSWORD });
  const res = await secure.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'sec@secure.test', password: PASSWORD }, headers: { origin: 'https://hirebox.example' } });
  t.equal(res.statusCode, 200);
  const setCookie = String(res.headers['set-cookie']);
  t.match(setCookie, /^__Host-hirebox=[A-Za-z0-9_-]{43};/);
  t.match(setCookie, /; Path=\//);
  t.match(setCookie, /; HttpOnly/);
  t.match(setCookie, /; Secure/);
  t.match(setCookie, /; SameSite=Lax/);
  t.notMatch(setCookie, /Domain=/i, '__Host- cookies carry no Domain');
  const device = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-hirebox-device=')) ?? '';
  t.match(device, /^__Host-hirebox-device=d1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Max-Age=15552000; Path=\/; HttpOnly; Secure; SameSite=Strict$/, 'the device cookie (issue 19): __Host-, Secure, Strict');
  const foreign = await secure.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'sec@secure.test', password: PASSWORD }, headers: { origin: 'https://evil.example' } });
  t.equal(foreign.statusCode, 403, 'login CSRF: foreign Origin refused');
});

t.test('CSRF: cross-origin POST rejected, same-origin with token accepted', async (t) => {
  const s = await fullSession();
  const cross = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...s.headers, origin: 'https://evil.example' } });
  t.equal(cross.statusCode, 403);
  const missing = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken } });
  t.equal(missing.statusCode, 403, 'missing Origin');
  const same = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers });
  t.equal(same.statusCode, 204);
});

t.test('malformed and oversized credential requests', async (t) => {
  for (const payload of [{}, { email: 'a@b.c' }, { email: 'x'.repeat(300), password: 'p' }, { email: 'a@b.c', password: 'p'.repeat(2000) }]) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload, remoteAddress: '10.9.9.9' });
    t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 40));
    t.match(res.headers['content-type'], /problem\+json/);
  }
  const badCode = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', payload: { code: 'abc' } });
  t.equal(badCode.statusCode, 401, 'no session: 401 before anything else');
});

t.test('orgs may shorten session lifetimes, never lengthen them', async (t) => {
  const s = await fullSession();
  const tooLong = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/session-policy', headers: s.headers, payload: { sessionIdleSeconds: 3600, sessionAbsoluteSeconds: 43_200 } });
  t.equal(tooLong.statusCode, 400);
  const set = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/session-policy', headers: s.headers, payload: { sessionIdleSeconds: 300, sessionAbsoluteSeconds: 3600 } });
  t.equal(set.statusCode, 200);
  t.same(set.json(), { sessionIdleSeconds: 300, sessionAbsoluteSeconds: 3600 });
  const short = await fullSession();
  advance(4 * 60_000);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: short.headers })).statusCode, 200);
  advance(6 * 60_000);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: short.headers })).statusCode, 401, 'the org idle limit (5 min) applies');
  const s2 = await fullSession();
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/session-policy', headers: s2.headers, payload: { sessionIdleSeconds: 1800, sessionAbsoluteSeconds: 43_200 } });
});

t.test('a revocation in one app process reaches the session cache of another', async (t) => {
  const { buildApp } = await import('../../server/app.js');
  const { createLogger } = await import('../../server/core/logger.js');
  const { readMigrationFiles } = await import('../../server/core/migrate.js');
  const second = await buildApp({ config: ctx.config, db: ctx.db, redis: ctx.redis, audit: ctx.audit, logger: createLogger('silent'), mailer: ctx.mailer, migrations: readMigrationFiles(), clock });
  await second.ready();
  t.teardown(() => second.close());
  const s = await fullSession();
  t.equal((await second.inject({ method: 'GET', url: '/api/v1/me', headers: s.headers })).statusCode, 200, 'warm in the second process cache');
  t.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers })).statusCode, 204);
  await new Promise((r) => setTimeout(r, 200));
  t.equal((await second.inject({ method: 'GET', url: '/api/v1/me', headers: s.headers })).statusCode, 401, 'evicted through Redis');
});
