// issue 22 item 2: the candidate status page in real Chromium against the real app on
// 127.0.0.1, mail through the fake SMTP server. A candidate who applied to two jobs asks
// for a sign-in link on /portal/<org>, reads it from the mail, opens it, continues to the
// status page (both applications, stages, what AI did, the notices) and withdraws one.
// Every page passes axe (WCAG A/AA, no serious or critical finding), with no CSP
// violation and no script error. The pages need no JavaScript and no console build.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { startFakeSmtp } from '../fakes/smtp-server.js';
import { until } from '../support/until.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { axeViolations, describeFindings } from './axe.js';
import { CHROMIUM, freePort, launch, layoutProblems, newWatchedPage, screenshot, type Watch } from './browser.js';

if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Debian's Chromium at ${CHROMIUM}; install it with \`bash ops/scripts/ci-browser.sh\` (as root)`);

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const smtp = await startFakeSmtp();
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin }, smtpUrl: smtp.url });
const owner = await connectOwner(t, ctx);
const member = await createOrgWithMember(ctx, 'admin');
// Same-origin requests of this member come from the listening server's origin.
const admin = { ...member, headers: { ...member.headers, origin } };
const slug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const jobs = [await createJob(ctx, admin, { title: 'Platform Engineer' }), await createJob(ctx, admin, { title: 'Data Analyst' })];
const email = 'robin.roe@example.test';
for (const [i, job] of jobs.entries()) {
  const { body, contentType } = multipartBody(
    { name: 'Robin Roe', email, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, ...(i === 1 ? { humanReviewOnly: 'true' } : {}) },
    { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) },
  );
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${slug}/${job.slug}/apply`, headers: { 'content-type': contentType, accept: 'application/json' }, payload: body, remoteAddress: `10.8.0.${i + 1}` });
  if (res.statusCode !== 202) throw new Error(res.body);
}
await ctx.app.listen({ host: '127.0.0.1', port });

const browser = await launch();
t.teardown(async () => {
  await browser.close();
  await smtp.close();
});
const watch: Watch = { csp: [], errors: [] };
const { page } = await newWatchedPage(browser, watch);

/** The raw message as the mail client decodes it (quoted-printable soft breaks and escapes). */
const decoded = (data: string): string => data.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

async function axeClean(t: Test, name: string): Promise<void> {
  const found = await axeViolations(page);
  t.same(found, [], `${name}: no serious or critical axe finding${found.length ? `\n${describeFindings(found)}` : ''}`);
  t.same(await layoutProblems(page), [], `${name}: labelled controls, named buttons and links`);
}

t.test('request a link, open it from the mail, see the status page and withdraw one application', async (t) => {
  t.equal(smtp.received.filter((m) => m.to.some((x) => x.includes(email)) && decoded(m.data).includes('status page')).length, 2, 'each application mailed a status-page link');

  await page.goto(`${origin}/portal/${slug}`);
  await page.getByRole('heading', { name: 'Your applications' }).waitFor();
  await axeClean(t, 'start page');
  await screenshot(page, '70-portal-start');
  const before = smtp.received.length;
  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
  await axeClean(t, 'link sent page');

  const mail = await until('the sign-in mail at the fake SMTP server', async () => smtp.received.slice(before).find((m) => m.to.some((x) => x.includes(email))));
  const link = [...decoded(mail.data).matchAll(/https?:\/\/[^\s/]+\/portal\/[a-z0-9-]+\/enter\/[A-Za-z0-9_-]{43}/g)].map((m) => m[0]).find((u) => u.startsWith(`${origin}/portal/${slug}/enter/`));
  t.ok(link, 'the mail carries the link');
  await page.goto(link as string);
  await page.getByRole('heading', { name: 'Sign in to your status page' }).waitFor();
  await axeClean(t, 'sign-in page');
  await page.getByRole('button', { name: 'Continue to my status page' }).click();

  await page.getByRole('heading', { level: 1, name: /Your applications at/ }).waitFor();
  t.equal(new URL(page.url()).pathname, `/portal/${slug}`);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'hirebox-portal');
  t.ok(session?.httpOnly, 'the session cookie is HttpOnly');
  t.equal(session?.sameSite, 'Strict');
  t.equal(session?.path, `/portal/${slug}`);
  t.same((await page.locator('section.application h2').allTextContents()).sort(), ['Data Analyst', 'Platform Engineer']);
  t.match(await page.locator('section.application', { hasText: 'Data Analyst' }).textContent(), /You chose the AI-free route/);
  t.match(await page.locator('section.application', { hasText: 'Platform Engineer' }).textContent(), /Privacy notice .+, accepted on [A-Z][a-z]+ \d{1,2}, \d{4}/);
  await axeClean(t, 'status page');
  await screenshot(page, '71-portal-status');

  const section = page.locator('section.application', { hasText: 'Platform Engineer' });
  await section.getByLabel('I want to withdraw this application').check();
  await section.getByRole('button', { name: 'Withdraw this application' }).click();
  await page.getByRole('heading', { name: 'Application withdrawn' }).waitFor();
  await axeClean(t, 'withdrawn page');
  await page.getByRole('link', { name: 'Back to my status page' }).click();
  await page.getByRole('heading', { level: 1, name: /Your applications at/ }).waitFor();
  t.match(await page.locator('section.application', { hasText: 'Platform Engineer' }).textContent(), /Withdrawn[\s\S]*This application is closed/);
  t.match(await page.locator('section.application', { hasText: 'Data Analyst' }).textContent(), /Received/, 'the other application is untouched');
  await screenshot(page, '72-portal-withdrawn');

  const rows = (await owner.query<{ title: string; stage_kind: string }>('SELECT j.title, a.stage_kind FROM applications a JOIN jobs j ON j.id = a.job_id ORDER BY j.title')).rows;
  t.same(rows, [
    { title: 'Data Analyst', stage_kind: 'new' },
    { title: 'Platform Engineer', stage_kind: 'withdrawn' },
  ]);

  // The used link is gone: opening it again is a clear page, not the status.
  await page.goto(link as string);
  await page.getByRole('heading', { name: 'This did not work' }).waitFor();
  t.match(await page.locator('[role=alert]').textContent(), /already been used/);
  await axeClean(t, 'used-link page');
});

t.test('no CSP violation and no script error on the status pages', async (t) => {
  t.same(watch.csp, []);
  // The used link's page answers 410 on purpose (the browser logs it as a failed load).
  t.same(watch.errors.filter((e) => !/status of 410/.test(e)), []);
});
