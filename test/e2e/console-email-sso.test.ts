// Issue 14 screens in a real browser (Debian Chromium via playwright-core) against the real
// app on 127.0.0.1: the landing pages of the email-change links (confirm from the new
// address, undo from the old one), the SSO account-link page (password + TOTP of the
// existing account), and the SSO email domains with their status and TXT record in
// Settings. No CSP violation and no script error on any of them.
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { totpCode } from '../../server/modules/auth/totp.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { buildTestApp, createOrgWithMember } from '../helper.js';
import { browser as apiBrowser, cookieFrom, enrolMfa } from '../support/auth.js';
import { startFakeDns } from '../fakes/dns.js';
import { freePort, launch, newWatchedPage, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const dns = await startFakeDns();
t.teardown(() => dns.close());
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin }, appDeps: { dnsResolver: dns.resolver() } });
await ctx.app.listen({ host: '127.0.0.1', port });

const PW = 'correct horse battery staple e2e';
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
const { orgId, userId } = await orgs.createOrg({ name: 'Acme Robotics', slug: `acme-${Date.now().toString(36)}`, adminEmail: 'owner@acme.test', adminPassword: PW });
const admin = await createOrgWithMember(ctx, 'admin', orgId);
const adminHeaders = { ...admin.headers, origin };

// The owner signs in through the API and enrols TOTP (the previous time step, so the current one is free later).
const signIn = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin }, payload: { email: 'owner@acme.test', password: PW } });
const pending = apiBrowser(cookieFrom(signIn), signIn.json<{ csrfToken: string }>().csrfToken);
const enrolled = await enrolMfa(ctx.app, { ...pending, headers: { ...pending.headers, origin } }, () => new Date(Date.now() - 30_000));
const owner = apiBrowser(enrolled.browser.cookie, enrolled.browser.csrfToken);

const sso = await ctx.app.inject({
  method: 'PUT',
  url: '/api/v1/org/sso',
  headers: adminHeaders,
  payload: { issuer: 'https://idp.acme.example', clientId: 'hirebox', clientSecret: 'idp-secret', allowedDomains: ['acme.test'], defaultRole: 'recruiter', requireSso: false, trustIdpMfa: false, breakGlassUserId: null },
});
if (sso.statusCode !== 200) throw new Error(`sso config ${sso.statusCode} ${sso.body}`);

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

const emailOf = async (): Promise<string> => (await ctx.db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [userId])).rows[0]?.email as string;

t.test('the confirm page switches the address only when its button is pressed; the undo page restores it', async (t) => {
  const req = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: { ...owner.headers, origin }, payload: { email: 'owner.new@acme.test', password: PW } });
  t.equal(req.statusCode, 202, req.body);
  const [toNew, toOld] = ctx.mailer.outbox.slice(-2);
  const confirm = /(\/email\/confirm\/[A-Za-z0-9_-]{43})/.exec(toNew?.text ?? '')?.[1] as string;
  const revert = /(\/email\/revert\/[A-Za-z0-9_-]{43})/.exec(toOld?.text ?? '')?.[1] as string;

  const { context, page } = await newWatchedPage(browser, watch);
  await page.goto(`${origin}${confirm}`);
  await page.getByRole('heading', { name: 'Confirm your new sign-in address' }).waitFor();
  t.equal(await emailOf(), 'owner@acme.test', 'opening the page changes nothing');
  await page.getByRole('button', { name: 'Confirm the new address' }).click();
  await page.getByText('Your sign-in address has changed').waitFor();
  t.equal(await emailOf(), 'owner.new@acme.test');
  await screenshot(page, 'email-confirmed');

  await page.goto(`${origin}${confirm}`);
  await page.getByRole('button', { name: 'Confirm the new address' }).click();
  await page.getByText('invalid, already used or expired').waitFor();
  t.pass('a used link shows the reason');

  await page.goto(`${origin}${revert}`);
  await page.getByRole('button', { name: 'Undo the change' }).click();
  await page.getByText('your old address is your sign-in address').waitFor();
  t.equal(await emailOf(), 'owner@acme.test');
  await context.close();
});

t.test('the SSO link page links the identity with the existing account\'s password and TOTP', async (t) => {
  // The pending link as the callback leaves it (see the SSO integration test for the IdP leg).
  const token = randomBytes(32).toString('base64url');
  await ctx.redis.set(
    `${ctx.config.redisPrefix}:sso:link:${createHash('sha256').update(token).digest('hex')}`,
    JSON.stringify({ orgId, issuer: 'https://idp.acme.example', subject: 'owner-at-idp', userId, returnTo: '/app/jobs' }),
    'EX',
    600,
  );
  const { context, page } = await newWatchedPage(browser, watch);
  await page.goto(`${origin}/sso/link#${token}`);
  await page.getByRole('heading', { name: 'Link single sign-on to your account' }).waitFor();
  t.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
  await page.getByLabel('Password of the existing account').fill('wrong password entirely');
  await page.getByLabel('Authenticator code').fill(await totpCode(enrolled.secret, new Date()));
  await page.getByRole('button', { name: 'Link and sign in' }).click();
  await page.getByText('not correct').waitFor();
  await page.getByLabel('Password of the existing account').fill(PW);
  await page.getByLabel('Authenticator code').fill(await totpCode(enrolled.secret, new Date()));
  await page.getByRole('button', { name: 'Link and sign in' }).click();
  await page.waitForURL(`${origin}/app/jobs`);
  const bound = await ctx.db.query('SELECT 1 FROM sso_identities WHERE user_id = $1 AND subject = $2', [userId, 'owner-at-idp']);
  t.equal(bound.rowCount, 1, 'the identity is bound');
  await screenshot(page, 'sso-linked');
  await context.close();
});

t.test('Settings shows each SSO domain\'s status and the TXT record to publish', async (t) => {
  const { context, page } = await signedInPage(browser, watch, origin, admin.cookie);
  await page.goto(`${origin}/app/settings#sso`);
  await page.getByRole('heading', { name: 'SSO email domains' }).waitFor();
  await page.getByText('_hirebox-challenge.acme.test').waitFor();
  t.ok(await page.getByText('not verified').isVisible(), 'shown as not verified');
  await page.getByRole('button', { name: 'Check now' }).click();
  await page.getByText(/last check .*: no TXT record found yet/).waitFor();
  t.pass('a check without a published record says so');
  await screenshot(page, 'sso-domains');
  await context.close();
});

t.test('no CSP violation and no script error on these screens', async (t) => {
  t.same(watch.csp, []);
  // The used confirm link is refused with 400 on purpose (the page shows why).
  t.same(watch.errors.filter((e) => !/status of 400/.test(e)), []);
});
