import t from 'tap';
import { until } from '../support/until.js';
import { spawnSync } from 'node:child_process';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { createSessionService } from '../../server/modules/auth/service.js';
import { csrfTokenFor } from '../../server/core/tokens.js';
import { buildTestApp, ORIGIN } from '../helper.js';
import { totpCode } from '../../server/modules/auth/totp.js';
import { browser, cookieFrom, enrolMfa, login, type Browser } from '../support/auth.js';

let nowMs = Date.now();
const clock = (): Date => new Date(nowMs);
const ctx = await buildTestApp(t, { clock });
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock });
const ADMIN_PW = 'granite meadow falcon 3';
const acme = await orgs.createOrg({ name: 'Acme', adminEmail: 'boss@acme.test', adminPassword: ADMIN_PW });
const beta = await orgs.createOrg({ name: 'Beta', adminEmail: 'chief@beta.test', adminPassword: ADMIN_PW });

const secrets = new Map<string, string>();

/** Signs in through the API: enrols MFA the first time, verifies a fresh code after that. */
async function signedIn(email: string, password: string): Promise<Browser> {
  nowMs += 31_000;
  const { res, browser: pending } = await login(ctx.app, email, password);
  if (!pending) throw new Error(`login ${res.statusCode} ${res.body}`);
  const secret = secrets.get(email);
  if (res.json<{ mfa: string }>().mfa === 'enroll' || !secret) {
    const enrolled = await enrolMfa(ctx.app, pending, clock);
    secrets.set(email, enrolled.secret);
    return enrolled.browser;
  }
  const v = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: pending.headers, payload: { code: await totpCode(secret, clock()) } });
  if (v.statusCode !== 200) throw new Error(`verify ${v.statusCode} ${v.body}`);
  return browser(cookieFrom(v), v.json<{ csrfToken: string }>().csrfToken);
}

const admin = await signedIn('boss@acme.test', ADMIN_PW);
const lastLink = (): string => {
  const mail = ctx.mailer.outbox.at(-1);
  const m = mail ? /(https?:\/\/\S+\/(invite|reset|setup)\/[A-Za-z0-9_-]{43})/.exec(mail.text) : null;
  if (!m) throw new Error('no link in the last mail');
  return m[1] as string;
};
const tokenOf = (link: string): string => link.split('/').at(-1) as string;

t.test('a refused password does not use up an invitation link', async (t) => {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/members/invitations', headers: admin.headers, payload: { email: 'Rita@Acme.test', role: 'recruiter' } });
  t.equal(res.statusCode, 201);
  t.equal(ctx.mailer.outbox.at(-1)?.to, 'rita@acme.test');
  const token = tokenOf(lastLink());
  const weak = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token, password: 'short' } });
  t.equal(weak.statusCode, 400);
  const good = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token, password: 'marble kettle sparrow 21' } });
  t.equal(good.statusCode, 200, 'the link still works after a refused password');
  const forged = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token: 'A'.repeat(43), password: 'marble kettle sparrow 21' } });
  t.equal(forged.statusCode, 401);
  const malformed = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token: 'short' } });
  t.equal(malformed.statusCode, 400);
});

t.test('invitation acceptance refuses common passwords and works with a good one', async (t) => {
  await ctx.app.inject({ method: 'POST', url: '/api/v1/members/invitations', headers: admin.headers, payload: { email: 'hank@acme.test', role: 'hiring_manager' } });
  const token = tokenOf(lastLink());
  const common = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token, password: 'password1234' } });
  t.equal(common.statusCode, 400);
  t.match(common.json(), { detail: /common or breached/ });
  await ctx.app.inject({ method: 'POST', url: '/api/v1/members/invitations', headers: admin.headers, payload: { email: 'hank@acme.test', role: 'hiring_manager' } });
  const token2 = tokenOf(lastLink());
  const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token: token2, password: 'lighthouse pebble zebra 88' } });
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { orgId: acme.orgId, role: 'hiring_manager' });
  const again = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token: token2, password: 'lighthouse pebble zebra 88' } });
  t.equal(again.statusCode, 401, 'single use');
  const first = await login(ctx.app, 'hank@acme.test', 'lighthouse pebble zebra 88');
  t.equal(first.res.json<{ mfa: string }>().mfa, 'enroll', 'new members enrol MFA at first sign-in');
  await ctx.app.inject({ method: 'POST', url: '/api/v1/members/invitations', headers: admin.headers, payload: { email: 'late@acme.test', role: 'auditor' } });
  const lateToken = tokenOf(lastLink());
  nowMs += 73 * 3_600_000;
  const expired = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token: lateToken, password: 'lighthouse pebble zebra 99' } });
  t.equal(expired.statusCode, 401, 'expired after 72 h');
});

t.test('role change and removal revoke the member\'s sessions; the last admin stays', async (t) => {
  const admin2 = await signedIn('boss@acme.test', ADMIN_PW);
  const hank = await signedIn('hank@acme.test', 'lighthouse pebble zebra 88');
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: hank.headers });
  const hankId = me.json<{ user: { id: string } }>().user.id;
  const members = await ctx.app.inject({ method: 'GET', url: '/api/v1/members', headers: admin2.headers });
  t.ok(members.json<{ members: { userId: string; mfaEnabled: boolean }[] }>().members.some((m) => m.userId === hankId && m.mfaEnabled));
  const denied = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/members/${hankId}`, headers: hank.headers, payload: { role: 'admin' } });
  t.equal(denied.statusCode, 403, 'a hiring manager cannot promote themself');
  const change = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/members/${hankId}`, headers: admin2.headers, payload: { role: 'recruiter' } });
  t.equal(change.statusCode, 204);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: hank.headers })).statusCode, 401, 'signed out by the role change');
  const adminId = (await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: admin2.headers })).json<{ user: { id: string } }>().user.id;
  const demote = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/members/${adminId}`, headers: admin2.headers, payload: { role: 'auditor' } });
  t.equal(demote.statusCode, 409, 'the only admin cannot be demoted');
  const hank2 = await signedIn('hank@acme.test', 'lighthouse pebble zebra 88');
  const removed = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/members/${hankId}`, headers: admin2.headers });
  t.equal(removed.statusCode, 204);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: hank2.headers })).statusCode, 401, 'signed out by removal');
  const crossTenant = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/members/${beta.userId}`, headers: admin2.headers });
  t.equal(crossTenant.statusCode, 404, "another org's member is not found");
  const log = await ctx.db.withTenant(acme.orgId, (q) => q.query("SELECT action FROM audit_events WHERE action LIKE 'member.%' ORDER BY seq"));
  t.match(log.rows.map((r: { action: string }) => r.action), ['member.invited', 'member.joined', 'member.invited', 'member.invited', 'member.joined', 'member.invited', 'member.role_changed', 'member.removed']);
});

t.test('an admin resets a member\'s MFA (audited); they enrol again', async (t) => {
  const admin3 = await signedIn('boss@acme.test', ADMIN_PW);
  await ctx.app.inject({ method: 'POST', url: '/api/v1/members/invitations', headers: admin3.headers, payload: { email: 'ivy@acme.test', role: 'recruiter' } });
  await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token: tokenOf(lastLink()), password: 'copper willow sunrise 5' } });
  const ivy = await signedIn('ivy@acme.test', 'copper willow sunrise 5');
  const ivyId = (await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: ivy.headers })).json<{ user: { id: string } }>().user.id;
  const reset = await ctx.app.inject({ method: 'POST', url: `/api/v1/members/${ivyId}/mfa-reset`, headers: admin3.headers });
  t.equal(reset.statusCode, 204);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: ivy.headers })).statusCode, 401);
  const again = await login(ctx.app, 'ivy@acme.test', 'copper willow sunrise 5');
  t.equal(again.res.json<{ mfa: string }>().mfa, 'enroll');
  const audited = await ctx.db.withTenant(acme.orgId, (q) => q.query("SELECT actor_id, target_id FROM audit_events WHERE action = 'member.mfa_reset'"));
  t.equal(audited.rowCount, 1);
});

t.test('password reset: same answer for unknown emails, link single use, sessions revoked', async (t) => {
  const before = ctx.mailer.outbox.length;
  const unknown = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'nobody@acme.test' }, remoteAddress: '10.0.0.5' });
  t.equal(unknown.statusCode, 202);
  const live = await signedIn('boss@acme.test', ADMIN_PW);
  const known = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'boss@acme.test' }, remoteAddress: '10.0.0.6' });
  t.equal(known.statusCode, 202);
  t.same(known.json(), unknown.json());
  // The mail is sent after the answer (same timing either way): wait for it.
  await until('reset mail', async () => ctx.mailer.outbox.length > before);
  t.equal(ctx.mailer.outbox.filter((m) => m.to === 'boss@acme.test').length, ctx.mailer.outbox.length - before, 'mail only to the account');
  const token = tokenOf(lastLink());
  const done = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/complete', payload: { token, newPassword: 'saffron glacier meteor 11' } });
  t.equal(done.statusCode, 204);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: live.headers })).statusCode, 401, 'existing sessions revoked');
  const reuse = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/complete', payload: { token, newPassword: 'another good passphrase 1' } });
  t.equal(reuse.statusCode, 401);
  t.equal((await login(ctx.app, 'boss@acme.test', ADMIN_PW)).res.statusCode, 401, 'old password gone');
  t.equal((await login(ctx.app, 'boss@acme.test', 'saffron glacier meteor 11')).res.statusCode, 200);
  const mailsBefore = ctx.mailer.outbox.length;
  await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'boss@acme.test' }, remoteAddress: '10.0.0.7' });
  await until('second reset mail', async () => ctx.mailer.outbox.length > mailsBefore);
  const stale = tokenOf(lastLink());
  nowMs += 31 * 60_000;
  const late = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/complete', payload: { token: stale, newPassword: 'another good passphrase 2' } });
  t.equal(late.statusCode, 401, 'reset links expire after 30 minutes');
  t.notOk(ctx.mailer.outbox.some((m) => m.to === 'nobody@acme.test'), 'never a mail to the unknown address');
});

t.test('changing the password needs the current one and revokes other sessions', async (t) => {
  const a = await signedIn('boss@acme.test', 'saffron glacier meteor 11');
  const b = await signedIn('boss@acme.test', 'saffron glacier meteor 11');
  const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: a.headers, payload: { currentPassword: 'nope nope nope', newPassword: 'orchid basalt quiver 12' } });
  t.equal(wrong.statusCode, 401);
  const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: a.headers, payload: { currentPassword: 'saffron glacier meteor 11', newPassword: 'orchid basalt quiver 12' } });
  t.equal(ok.statusCode, 200);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: b.headers })).statusCode, 401);
  const fresh = String(ok.headers['set-cookie']).split(';')[0] as string;
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: fresh } })).statusCode, 200, 'the changing session continues with a new token');
});

t.test('changing the sign-in address needs the password and the link mailed to the new address; the old address can undo it', async (t) => {
  const a = await signedIn('boss@acme.test', 'orchid basalt quiver 12');
  const other = await signedIn('boss@acme.test', 'orchid basalt quiver 12');
  const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: a.headers, payload: { email: 'new@acme.test', password: 'not my password' } });
  t.equal(wrong.statusCode, 401);
  const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: a.headers, payload: { email: 'Boss2@Acme.test', password: 'orchid basalt quiver 12' } });
  t.equal(ok.statusCode, 202, ok.body);
  const [toNew, toOld] = ctx.mailer.outbox.slice(-2);
  t.equal(toNew?.to, 'boss2@acme.test', 'the confirm link goes to the new address');
  t.equal(toOld?.to, 'boss@acme.test', 'the old address is told');
  const confirm = /\/email\/confirm\/([A-Za-z0-9_-]{43})/.exec(toNew?.text ?? '')?.[1] as string;
  const revert = /\/email\/revert\/([A-Za-z0-9_-]{43})/.exec(toOld?.text ?? '')?.[1] as string;
  t.ok(confirm && revert, 'both links are in the mails');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: a.headers })).json<{ user: { email: string } }>().user.email, 'boss@acme.test', 'nothing changes before the link is opened');
  const done = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email/confirm', headers: { origin: ORIGIN }, payload: { token: confirm } });
  t.equal(done.statusCode, 204, done.body);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: other.headers })).statusCode, 401, 'every session ends');
  t.equal((await login(ctx.app, 'boss2@acme.test', 'orchid basalt quiver 12')).res.statusCode, 200, 'the new address signs in');
  const undo = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email/revert', headers: { origin: ORIGIN }, payload: { token: revert } });
  t.equal(undo.statusCode, 204, undo.body);
  t.equal((await login(ctx.app, 'boss@acme.test', 'orchid basalt quiver 12')).res.statusCode, 200, 'the old address is back');
});

t.test('a member of two orgs switches between them; the session binds to one org', async (t) => {
  const admin4 = await signedIn('boss@acme.test', 'orchid basalt quiver 12');
  const betaAdmin = await signedIn('chief@beta.test', ADMIN_PW);
  await ctx.app.inject({ method: 'POST', url: '/api/v1/members/invitations', headers: betaAdmin.headers, payload: { email: 'boss@acme.test', role: 'auditor' } });
  const accept = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/accept', payload: { token: tokenOf(lastLink()), currentPassword: 'orchid basalt quiver 12' } });
  t.equal(accept.statusCode, 200, accept.body);
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/orgs', headers: admin4.headers });
  t.equal(list.json<{ orgs: unknown[] }>().orgs.length, 2);
  const sw = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/switch-org', headers: admin4.headers, payload: { orgId: beta.orgId } });
  t.equal(sw.statusCode, 200);
  t.match(sw.json(), { orgId: beta.orgId, role: 'auditor' });
  const cookie = String(sw.headers['set-cookie']).split(';')[0] as string;
  const csrf = sw.json<{ csrfToken: string }>().csrfToken;
  const invite = await ctx.app.inject({ method: 'POST', url: '/api/v1/members/invitations', headers: { cookie, 'x-csrf-token': csrf, origin: ORIGIN }, payload: { email: 'x@beta.test', role: 'admin' } });
  t.equal(invite.statusCode, 403, 'an auditor in Beta cannot invite');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: admin4.headers })).statusCode, 401, 'the old token was rotated');
  const notMember = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/switch-org', headers: { cookie, 'x-csrf-token': csrf, origin: ORIGIN }, payload: { orgId: '00000000-0000-4000-8000-000000000000' } });
  t.equal(notMember.statusCode, 403);
});

t.test('the CLI setup link sets the first password', async (t) => {
  nowMs = Date.now(); // the CLI stamps its link with the real clock
  const r = spawnSync(process.execPath, ['dist/server/cli.js', 'org', 'create', '--name', 'Gamma', '--admin-email', 'g@gamma.test', '--json'], { env: { ...process.env, ...ctx.env }, encoding: 'utf8' });
  const { setupUrl } = JSON.parse(r.stdout) as { setupUrl: string };
  const token = tokenOf(setupUrl);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token, password: 'tundra parsley comet 77' } });
  t.equal(res.statusCode, 204);
  t.equal((await login(ctx.app, 'g@gamma.test', 'tundra parsley comet 77')).res.statusCode, 200);
  const twice = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token, password: 'tundra parsley comet 78' } });
  t.equal(twice.statusCode, 401);
});

t.test('a member cannot use the address change to send mail without end (5 requests, then a lock)', async (t) => {
  // A session as the helper issues them (this file has used up the per-address sign-in rate).
  const ip = '10.77.0.1';
  const sessions = createSessionService({ db: ctx.db, clock });
  const { token } = await sessions.issue({ userId: beta.userId, orgId: beta.orgId, role: 'admin', mfaComplete: true });
  const m = browser(`hirebox=${token}`, csrfTokenFor(token));
  const before = ctx.mailer.outbox.length;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: m.headers, payload: { email: `spam${i}@elsewhere.test`, password: ADMIN_PW }, remoteAddress: ip });
    statuses.push(res.statusCode);
  }
  t.same(statuses, [202, 202, 202, 202, 202, 429]);
  t.equal(ctx.mailer.outbox.length, before + 10, 'no mail for the refused request');
});
