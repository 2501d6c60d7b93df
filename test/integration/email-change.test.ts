// Issue 14 H1: a sign-in address changes only through a single-use link mailed to the new
// address, the old address can undo it, and the request tells nothing about which
// addresses have accounts (same answer, same mails sent, comparable time).
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { buildTestApp, connectOwner, ORIGIN } from '../helper.js';
import { totpCode } from '../../server/modules/auth/totp.js';
import { browser, cookieFrom, enrolMfa, login, type Browser } from '../support/auth.js';
import { assertSameTiming, timed } from '../support/timing.js';

let nowMs = Date.now();
const clock = (): Date => new Date(nowMs);
const ctx = await buildTestApp(t, { clock, appDeps: { authLimits: { accountFailuresBeforeLock: 10_000, ipFailuresBeforeBlock: 10_000 } } });
const owner = await connectOwner(t, ctx);
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock });
const PW = 'granite meadow falcon 3';
const orgA = await orgs.createOrg({ name: 'Attacker Org', adminEmail: 'mallory@attacker.test', adminPassword: PW });
await orgs.createOrg({ name: 'Victim Org', adminEmail: 'victim@victim.test', adminPassword: PW });
await orgs.createOrg({ name: 'Third Org', adminEmail: 'third@third.test', adminPassword: PW });

const secrets = new Map<string, string>(); // by user id: the address changes under the test

/** Password + TOTP through the API: enrols the first time, a fresh code after that. */
async function signedIn(email: string): Promise<Browser> {
  nowMs += 31_000; // a new TOTP step: codes are single use
  const { res, browser: pending } = await login(ctx.app, email, PW);
  if (!pending) throw new Error(`login ${res.statusCode} ${res.body}`);
  const userId = (await owner.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email])).rows[0]?.id as string;
  const secret = secrets.get(userId);
  if (!secret) {
    const enrolled = await enrolMfa(ctx.app, pending, clock);
    secrets.set(userId, enrolled.secret);
    return enrolled.browser;
  }
  const v = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: pending.headers, payload: { code: await totpCode(secret, clock()) } });
  if (v.statusCode !== 200) throw new Error(`verify ${v.statusCode} ${v.body}`);
  return browser(cookieFrom(v), v.json<{ csrfToken: string }>().csrfToken);
}

let ip = 0;
const requestChange = (b: Browser, email: string): Promise<LightMyRequestResponse> =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: b.headers, payload: { email, password: PW }, remoteAddress: `10.9.${Math.floor(++ip / 200)}.${ip % 200}` });
const post = (path: string, payload: unknown, headers: Record<string, string> = { origin: ORIGIN }): Promise<LightMyRequestResponse> =>
  ctx.app.inject({ method: 'POST', url: path, headers, payload: payload as Record<string, unknown>, remoteAddress: `10.8.${Math.floor(++ip / 200)}.${ip % 200}` });

function isProblem(t: Test, res: LightMyRequestResponse, status: number, what: string): void {
  t.equal(res.statusCode, status, `${what}: ${status}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: problem+json`);
}

async function emailOf(userId: string): Promise<string> {
  return (await owner.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [userId])).rows[0]?.email as string;
}

const LINKS = { confirm: /\/email\/confirm\/([A-Za-z0-9_-]{43})/, revert: /\/email\/revert\/([A-Za-z0-9_-]{43})/ };
const linkIn = (kind: 'confirm' | 'revert', text: string | undefined): string | null => LINKS[kind].exec(text ?? '')?.[1] ?? null;

/** The two mails of the last request: [to the new address, to the old address]. */
function lastPair(): { toNew: { to: string; text: string }; toOld: { to: string; text: string } } {
  const [toNew, toOld] = ctx.mailer.outbox.slice(-2);
  if (!toNew || !toOld) throw new Error('expected two mails');
  return { toNew, toOld };
}

const mallory = await signedIn('mallory@attacker.test');

t.test('attack replay: the answer for a taken address is the same as for a free one, and the owner of the taken one is told', async (t) => {
  const outboxBefore = ctx.mailer.outbox.length;
  const taken = await requestChange(mallory, 'victim@victim.test');
  t.equal(taken.statusCode, 202, taken.body);
  const takenMails = lastPair();
  const free = await requestChange(mallory, 'someone-new@victim.test');
  t.equal(free.statusCode, 202, free.body);
  const freeMails = lastPair();
  t.equal(ctx.mailer.outbox.length, outboxBefore + 4, 'two mails per request either way');
  t.same(taken.json(), free.json(), 'what the attacker sees: the same body');
  t.same(Object.keys(taken.headers).sort(), Object.keys(free.headers).sort(), 'and the same headers');

  t.equal(takenMails.toNew.to, 'victim@victim.test', 'the owner of the taken address is told');
  t.equal(linkIn('confirm', takenMails.toNew.text), null, '... and gets no confirm link');
  t.match(takenMails.toNew.text, /already belongs to your account/);
  t.equal(freeMails.toNew.to, 'someone-new@victim.test');
  t.ok(linkIn('confirm', freeMails.toNew.text), 'a free address gets the confirm link');
  t.equal(takenMails.toOld.to, 'mallory@attacker.test');
  t.ok(linkIn('revert', takenMails.toOld.text), 'the old address gets an undo link');
  t.equal(await emailOf(orgA.userId), 'mallory@attacker.test', 'the attacker still has their own address');

  const events = await ctx.db.withTenant(orgA.orgId, (q) => q.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE action = 'auth.email_change_requested' ORDER BY seq"));
  t.equal(events.rowCount, 2, 'both requests are audited');
  t.same(Object.keys(events.rows[0]?.metadata ?? {}), Object.keys(events.rows[1]?.metadata ?? {}), 'the audit log (readable by the attacker as admin) does not say which was taken');
  const stored = await owner.query<{ confirm_token_hash: Buffer }>('SELECT confirm_token_hash FROM email_changes WHERE user_id = $1', [orgA.userId]);
  const confirm = linkIn('confirm', freeMails.toNew.text) as string;
  t.notOk(stored.rows.some((r) => r.confirm_token_hash.toString('base64url') === confirm || r.confirm_token_hash.includes(Buffer.from(confirm))), 'only hashes are stored');
});

t.test('attack replay: a taken and a free address answer in comparable time (medians within 20%)', async (t) => {
  for (let i = 0; i < 4; i++) await requestChange(mallory, i % 2 ? 'victim@victim.test' : `warm${i}@free.test`);
  await assertSameTiming(t, { a: 'taken', b: 'free' }, (side, i) =>
    timed(async () => {
      const res = await requestChange(mallory, side === 'a' ? 'victim@victim.test' : `free${i}@free.test`);
      if (res.statusCode !== 202) throw new Error(res.body);
    }),
  );
  t.equal(await emailOf(orgA.userId), 'mallory@attacker.test');
});

t.test('the confirm link switches the address once; bad, reused, expired and wrong-kind tokens change nothing', async (t) => {
  const other = await signedIn('mallory@attacker.test');
  t.equal((await requestChange(mallory, 'Mallory.New@Attacker.test')).statusCode, 202);
  const { toNew, toOld } = lastPair();
  const confirm = linkIn('confirm', toNew.text) as string;
  const revert = linkIn('revert', toOld.text) as string;

  isProblem(t, await post('/api/v1/auth/email/confirm', { token: 'short' }), 400, 'malformed token');
  isProblem(t, await post('/api/v1/auth/email/confirm', { token: 'A'.repeat(43) }), 400, 'unknown token');
  isProblem(t, await post('/api/v1/auth/email/confirm', { token: revert }), 400, 'the undo token is not a confirm token');
  isProblem(t, await post('/api/v1/auth/email/confirm', { token: confirm }, { origin: 'https://evil.example' }), 403, 'cross-origin');
  t.equal(await emailOf(orgA.userId), 'mallory@attacker.test', 'nothing changed');

  const ok = await post('/api/v1/auth/email/confirm', { token: confirm });
  t.equal(ok.statusCode, 204, ok.body);
  t.equal(await emailOf(orgA.userId), 'mallory.new@attacker.test', 'switched (normalised)');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: other.headers })).statusCode, 401, 'every session ended');
  t.equal(ctx.mailer.outbox.at(-1)?.to, 'mallory@attacker.test', 'the old address is told it happened');
  const again = await post('/api/v1/auth/email/confirm', { token: confirm });
  isProblem(t, again, 400, 'reused');
  t.match(again.json(), { detail: /invalid, already used or expired/ });
  const events = await ctx.db.withTenant(orgA.orgId, (q) => q.query("SELECT 1 FROM audit_events WHERE action = 'auth.email_changed'"));
  t.equal(events.rowCount, 1, 'audited once');

  // Undo from the old address: the old address is back, every session ends; single use.
  const fresh = await signedIn('mallory.new@attacker.test');
  const undo = await post('/api/v1/auth/email/revert', { token: revert });
  t.equal(undo.statusCode, 204, undo.body);
  t.equal(await emailOf(orgA.userId), 'mallory@attacker.test');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: fresh.headers })).statusCode, 401, 'sessions revoked');
  isProblem(t, await post('/api/v1/auth/email/revert', { token: revert }), 400, 'undo reused');
  isProblem(t, await post('/api/v1/auth/email/revert', { token: 'x' }), 400, 'undo malformed');

  // Expired: 24 hours for the confirm link.
  const m2 = await signedIn('mallory@attacker.test');
  t.equal((await requestChange(m2, 'late@attacker.test')).statusCode, 202);
  const late = linkIn('confirm', lastPair().toNew.text) as string;
  nowMs += 25 * 3_600_000;
  isProblem(t, await post('/api/v1/auth/email/confirm', { token: late }), 400, 'expired');
  t.equal(await emailOf(orgA.userId), 'mallory@attacker.test', 'nothing changed');
});

t.test('the address is checked again at confirmation; a newer request and an undo kill older links', async (t) => {
  const b = await signedIn('mallory@attacker.test');
  t.equal((await requestChange(b, 'contested@third.test')).statusCode, 202);
  const contested = linkIn('confirm', lastPair().toNew.text) as string;
  // Someone else gets the address first.
  await owner.query("UPDATE users SET email = 'contested@third.test' WHERE email = 'third@third.test'");
  const refused = await post('/api/v1/auth/email/confirm', { token: contested });
  isProblem(t, refused, 409, 'taken meanwhile');
  t.equal(await emailOf(orgA.userId), 'mallory@attacker.test', 'nothing changed');
  isProblem(t, await post('/api/v1/auth/email/confirm', { token: contested }), 400, 'and the link is used up');

  const b2 = await signedIn('mallory@attacker.test');
  t.equal((await requestChange(b2, 'first@attacker.test')).statusCode, 202);
  const first = linkIn('confirm', lastPair().toNew.text) as string;
  t.equal((await requestChange(b2, 'second@attacker.test')).statusCode, 202);
  const { toNew, toOld } = lastPair();
  isProblem(t, await post('/api/v1/auth/email/confirm', { token: first }), 400, 'superseded link');
  t.equal((await post('/api/v1/auth/email/revert', { token: linkIn('revert', toOld.text) as string })).statusCode, 204, 'undo while pending cancels');
  isProblem(t, await post('/api/v1/auth/email/confirm', { token: linkIn('confirm', toNew.text) as string }), 400, 'cancelled link');
  t.equal(await emailOf(orgA.userId), 'mallory@attacker.test');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: b2.headers })).statusCode, 401, 'the undo ended every session');
});

t.test('the request needs a session, the password and a well-formed address', async (t) => {
  const b = await signedIn('mallory@attacker.test');
  const before = ctx.mailer.outbox.length;
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: { origin: ORIGIN }, payload: { email: 'x@y.test', password: PW } }), 401, 'no session');
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: b.headers, payload: { email: 'x@y.test', password: 'wrong password' } }), 401, 'wrong password');
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: b.headers, payload: { email: 'not an email', password: PW } }), 400, 'not an email');
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: b.headers, payload: { email: `${'a'.repeat(250)}@y.test`, password: PW } }), 400, 'oversized');
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: { ...b.headers, 'x-csrf-token': 'nope' }, payload: { email: 'x@y.test', password: PW } }), 403, 'no CSRF token');
  t.equal(ctx.mailer.outbox.length, before, 'no mail sent');
});
