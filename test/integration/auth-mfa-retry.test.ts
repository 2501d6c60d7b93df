// Issue 21 item 1: a wrong code during first sign-in keeps the member on the form with what
// is left before lockout; the enrolment secret stays the same for the half-session; recovery
// codes and the SSO account link answer the same way; SSO callback refusals reach a browser
// as a fixed code for the sign-in page, never free text.
import t from 'tap';
import { totpCode } from '../../server/modules/auth/totp.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { ssoErrorCode } from '../../server/modules/sso/routes.js';
import { ForbiddenError, NotFoundError, ServiceUnavailableError, UnauthorizedError } from '../../server/core/errors.js';
import { buildTestApp } from '../helper.js';
import { login } from '../support/auth.js';

const ctx = await buildTestApp(t);
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
const PASSWORD = 'violet tractor harbour 42';
await orgs.createOrg({ name: 'Acme', adminEmail: 'ada@acme.test', adminPassword: PASSWORD });
await orgs.createOrg({ name: 'Beta', adminEmail: 'bob@beta.test', adminPassword: PASSWORD });

interface AuthProblem {
  status: number;
  detail: string;
  mfa?: string;
  attemptsLeft?: number;
  lockedForSeconds?: number;
}

t.test('a wrong enrolment code is a 401 with the attempts left; the secret survives a reload; the right code then works', async (t) => {
  const { browser: pending } = await login(ctx.app, 'ada@acme.test', PASSWORD);
  if (!pending) throw new Error('login failed');
  const first = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: pending.headers });
  t.equal(first.statusCode, 200);
  const { secret, qrCodeDataUrl } = first.json<{ secret: string; qrCodeDataUrl: string }>();
  const right = await totpCode(secret, new Date());
  const wrongCode = right === '000000' ? '111111' : '000000';

  const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: pending.headers, payload: { code: wrongCode } });
  t.equal(wrong.statusCode, 401);
  t.match(wrong.headers['content-type'], /application\/problem\+json/);
  const p = wrong.json<AuthProblem>();
  t.equal(p.mfa, 'enroll', 'the problem says enrolment is still pending');
  t.equal(p.attemptsLeft, 4, 'five failures lock the account: four are left');
  t.match(p.detail, /not valid\. 4 attempts left before the account is locked/);

  const again = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: pending.headers });
  t.equal(again.statusCode, 200);
  t.equal(again.json<{ secret: string }>().secret, secret, 'the same half-session gets the same secret (the QR code already scanned still works)');
  t.equal(again.json<{ qrCodeDataUrl: string }>().qrCodeDataUrl, qrCodeDataUrl);

  const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: pending.headers, payload: { code: right } });
  t.equal(ok.statusCode, 200, 'the code of the first secret completes enrolment');
  t.equal(ok.json<{ recoveryCodes: string[] }>().recoveryCodes.length, 10);
});

t.test('a new sign-in (a new half-session) gets a new enrolment secret', async (t) => {
  const a = await login(ctx.app, 'bob@beta.test', PASSWORD);
  const b = await login(ctx.app, 'bob@beta.test', PASSWORD);
  if (!a.browser || !b.browser) throw new Error('login failed');
  const s1 = (await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: a.browser.headers })).json<{ secret: string }>().secret;
  const s2 = (await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: b.browser.headers })).json<{ secret: string }>().secret;
  t.not(s1, s2, 'another session never sees the first session\'s secret');
  const old = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: a.browser.headers, payload: { code: await totpCode(s1, new Date()) } });
  t.equal(old.statusCode, 401, 'the superseded secret no longer verifies');
  t.equal(old.json<AuthProblem>().attemptsLeft, 4);
});

t.test('wrong recovery codes count down to a lock, then 429 with retryAfter', async (t) => {
  const { browser: pending } = await login(ctx.app, 'ada@acme.test', PASSWORD);
  if (!pending) throw new Error('login failed');
  const seen: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: pending.headers, payload: { recoveryCode: 'AAAA-BBBB-CCCC' } });
    t.equal(res.statusCode, 401);
    const p = res.json<AuthProblem>();
    t.equal(p.mfa, 'required');
    seen.push(p.attemptsLeft ?? -1);
    if (i === 0) t.match(p.detail, /recovery code is not valid or was already used/);
    if (i === 4) {
      t.ok((p.lockedForSeconds ?? 0) > 0, 'the fifth failure says how long the lock lasts');
      t.match(p.detail, /locked for \d+ seconds/);
    }
  }
  t.same(seen, [4, 3, 2, 1, 0]);
  const locked = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: pending.headers, payload: { recoveryCode: 'AAAA-BBBB-CCCC' } });
  t.equal(locked.statusCode, 429);
  t.match(locked.json<AuthProblem>().detail, /locked/);
});

t.test('SSO callback refusals map to fixed codes for the sign-in page', async (t) => {
  t.equal(ssoErrorCode(new ForbiddenError({ detail: 'This email domain may not sign in to this organisation.' })), 'domain_refused');
  t.equal(ssoErrorCode(new ForbiddenError({ detail: 'The identity provider has not verified this email address.' })), 'email_unverified');
  t.equal(ssoErrorCode(new UnauthorizedError({ detail: 'Single sign-on did not succeed; start again.' })), 'failed');
  t.equal(ssoErrorCode(new ServiceUnavailableError({ detail: 'The identity provider of this organisation could not be reached; try again shortly.' })), 'unavailable');
  t.equal(ssoErrorCode(new NotFoundError({ detail: 'Single sign-on is not set up for this organisation.' })), 'not_configured');
  t.equal(ssoErrorCode(new Error('boom')), null, 'an unexpected error stays a 500, not a redirect');
});

t.test('a browser landing on a refused SSO callback goes to the sign-in page with the code; a script gets the problem', async (t) => {
  const browserNav = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/sso/callback?state=x&code=y', headers: { accept: 'text/html,application/xhtml+xml' } });
  t.equal(browserNav.statusCode, 302);
  t.match(browserNav.headers.location, /^\/app\/sign-in\?sso=[a-z_]+$/);
  const script = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/sso/callback?state=x&code=y' });
  t.ok(script.statusCode >= 400 && script.statusCode < 500, `a script gets a problem (${script.statusCode})`);
  t.match(script.headers['content-type'], /problem\+json/);
});
