// Issue 21 in a real browser (Debian Chromium via playwright-core) against the real app:
// item 1, a first sign-in where the admin types a wrong authenticator code first (stays on
// the form with the attempts left; a reload keeps the same key), then the right one; item 2,
// the pipeline's triage columns, sort, flag filter, stage counts, a saved view, the board
// with keyboard-only moves (one of them a rejection that records a human decision), and the
// jobs list's counts and "new since your last visit"; item 6, axe-core on every console and
// candidate page reached: 0 serious or critical WCAG 2.2 A/AA violations, no CSP violation.
import t, { type Test } from 'tap';
import { totpCode } from '../../server/modules/auth/totp.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { axeViolations, describeFindings } from './axe.js';
import { freePort, launch, newWatchedPage, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';
import type { Page } from 'playwright-core';

requireBrowserAndBuild();

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin, VAPI_BASE_URL: fake.url } });
await ctx.app.listen({ host: '127.0.0.1', port });
const owner = await connectOwner(t, ctx);
const sameOrigin = (m: Member): Member => ({ ...m, headers: { ...m.headers, origin } });

const stamp = Date.now();
const adminEmail = `admin.${stamp}@triage.test`;
const adminPassword = 'correct horse battery staple triage';
const orgSlug = `triage-${stamp.toString(36)}`;
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
const { orgId } = await orgs.createOrg({ name: 'Triage Labs', slug: orgSlug, adminEmail, adminPassword });
const recruiter = sameOrigin(await createOrgWithMember(ctx, 'recruiter', orgId));
const manager = sameOrigin(await createOrgWithMember(ctx, 'hiring_manager', orgId));
const admin2 = sameOrigin(await createOrgWithMember(ctx, 'admin', orgId));
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer', hiringManagerIds: [manager.userId] });
await approvePlan(ctx, recruiter, job.id);

// Five applications (oldest first) with hand-set screenings: what a recruiter triages.
const fixture = [
  { key: 'Ada Quinn', recommendation: 'advance', score: 91, flags: [] as string[] },
  { key: 'Ben Ortiz', recommendation: 'review', score: 55, flags: ['injection_suspected'] },
  { key: 'Cy Nakamura', recommendation: 'not_advance', score: 20, flags: ['must_have_without_evidence'] },
  { key: 'Dee Mensah', recommendation: null, score: null, flags: [] },
  { key: 'Eve Laurent', recommendation: 'review', score: 70, flags: ['ungrounded_evidence', 'injection_check_flagged'] },
];
const ids: Record<string, string> = {};
for (const [i, f] of fixture.entries()) {
  const res = await uploadCv(ctx, recruiter, job.id, { name: f.key, email: `${f.key.split(' ')[0]?.toLowerCase()}.${stamp}@example.test` });
  if (res.statusCode !== 201) throw new Error(res.body);
  const id = res.json<{ applicationId: string }>().applicationId;
  ids[f.key] = id;
  await owner.query('UPDATE applications SET created_at = now() - make_interval(mins => $2) WHERE id = $1', [id, 100 - i * 10]);
  if (f.recommendation) {
    await owner.query(
      `INSERT INTO screenings (org_id, application_id, job_id, document_id, criteria_version, status, provider, recommendation, overall_score, flags, completed_at)
       SELECT a.org_id, a.id, a.job_id, d.id, 1, 'completed', 'simulated', $2, $3, $4, now() FROM applications a JOIN documents d ON d.application_id = a.id WHERE a.id = $1`,
      [id, f.recommendation, f.score, f.flags],
    );
  }
}
await owner.query('UPDATE applications SET human_review_only = true WHERE id = $1', [ids['Dee Mensah']]);
// An AI interview for Ada: the candidate's invitation page is reachable too.
const vapi = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin2.headers, payload: { assistantId: 'asst_e2e', phoneNumberId: null, publicKey: fake.publicKey } });
if (vapi.statusCode !== 204) throw new Error(`vapi settings: ${vapi.statusCode} ${vapi.body}`);
const invited = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${ids['Ada Quinn']}/interviews`, headers: recruiter.headers, payload: {} });
if (invited.statusCode !== 201) throw new Error(`interview: ${invited.statusCode} ${invited.body}`);
const inviteToken = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;

// A candidate applies twice with the same address: the second CV waits for the
// confirmation link the candidate is mailed (/apply/confirm/:token, a candidate page).
const otherJob = await createJob(ctx, recruiter, { title: 'Support Engineer' });
await approvePlan(ctx, recruiter, otherJob.id);
for (const ip of ['10.9.0.1', '10.9.0.2']) {
  const { body, contentType } = multipartBody(
    { name: 'Fay Okafor', email: `fay.${stamp}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION },
    { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) },
  );
  const applied = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${otherJob.slug}/apply`, headers: { 'content-type': contentType, accept: 'application/json' }, payload: body, remoteAddress: ip });
  if (applied.statusCode >= 300) throw new Error(`public apply: ${applied.statusCode} ${applied.body}`);
}
const confirmToken = /\/apply\/confirm\/([A-Za-z0-9_-]{43})/.exec(ctx.mailer.outbox.filter((m) => m.to === `fay.${stamp}@example.test`).at(-1)?.text ?? '')?.[1];
if (!confirmToken) throw new Error('no re-submission confirmation link was mailed');

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

/** axe on the page as shown now; reports each finding so a failure says what to fix. */
async function checkA11y(t: Test, page: Page, what: string): Promise<void> {
  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `${what}: no serious or critical WCAG 2.2 A/AA violation${found.length ? `\n${describeFindings(found)}` : ''}`);
}

const admin = await newWatchedPage(browser, watch);
const recoveryCodes: string[] = [];

t.test('first sign-in: a wrong code keeps the admin on the enrolment form with the attempts left; a reload shows the same key; the right code works', async (t) => {
  const { page } = admin;
  await page.goto(`${origin}/app/jobs`);
  await page.waitForURL(/\/app\/sign-in/);
  await checkA11y(t, page, 'sign-in');
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/mfa/);
  await page.locator('code.secret').waitFor();
  const secret = (await page.locator('code.secret').textContent())?.trim() ?? '';
  t.match(secret, /^[A-Z2-7]{16,}$/);
  await checkA11y(t, page, 'MFA enrolment');

  const right = await totpCode(secret, new Date());
  await page.getByLabel('Code').fill(right === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.match(await alert.textContent(), /That code is not valid\. 4 attempts left before the account is locked/, "the server's message with the attempts left");
  t.match(page.url(), /\/app\/mfa/, 'still on the enrolment page, not sent back to sign in');
  t.notOk(await page.getByText('Your session has ended').isVisible(), 'no "session ended"');
  t.equal(await page.getByLabel('Code').inputValue(), '', 'the code field is cleared for the next try');
  await screenshot(page, 'triage-01-mfa-wrong-code');
  await checkA11y(t, page, 'MFA enrolment with an error');

  await page.reload();
  await page.locator('code.secret').waitFor();
  t.equal((await page.locator('code.secret').textContent())?.trim(), secret, 'a reload shows the same key (the scanned QR code still works)');

  await page.getByLabel('Code').fill(await totpCode(secret, new Date()));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  recoveryCodes.push(...(await page.getByRole('list', { name: 'Recovery codes' }).locator('li').allTextContents()).map((c) => c.trim()));
  await checkA11y(t, page, 'recovery codes');
  await page.getByRole('button', { name: /continue/ }).click();
  await page.waitForURL(`${origin}/app/jobs`);
});

t.test('a wrong recovery code keeps the admin on the form with the attempts left; a right one signs in', async (t) => {
  const { context, page } = await newWatchedPage(browser, watch);
  await page.goto(`${origin}/app/sign-in`);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/mfa/);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill('ABCD-EFGH-IJKL');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('alert').waitFor();
  t.match(await page.getByRole('alert').textContent(), /recovery code is not valid or was already used\. 4 attempts left/);
  t.match(page.url(), /\/app\/mfa/, 'still on the form');
  await checkA11y(t, page, 'recovery code with an error');
  await page.getByLabel('Recovery code').fill(recoveryCodes[0] as string);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(`${origin}/app/jobs`);
  await context.close();
});

t.test('the jobs list shows applications per stage and what is new since the last visit', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs`);
  const row = page.locator('li.row', { has: page.getByRole('link', { name: 'Platform Engineer' }) });
  await row.getByText('5 new (not opened yet)').waitFor();
  t.match(await row.getByRole('list', { name: 'Applications per stage' }).textContent(), /New: 5/);
  await checkA11y(t, page, 'jobs list');
  await row.getByRole('link', { name: 'Platform Engineer' }).click();
  await page.waitForURL(/\/pipeline$/);
  await page.getByRole('table').waitFor();
  await page.goto(`${origin}/app/jobs`);
  await row.getByText('5 applications').waitFor();
  t.equal(await row.getByText(/new since your last visit|not opened yet/).count(), 0, 'after a visit nothing is new');
  await page.close();
});

t.test('pipeline triage: columns, newest first, score sort, flag filter, stage counts and a saved view', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs/${job.id}/pipeline`);
  const rows = page.locator('tbody tr');
  await rows.first().waitFor();
  const names = async () => (await page.locator('tbody tr td[data-label="Candidate"] a').allTextContents()).map((s) => s.trim());
  t.same(await names(), ['Eve Laurent', 'Dee Mensah', 'Cy Nakamura', 'Ben Ortiz', 'Ada Quinn'], 'newest first by default');
  t.ok(await page.getByRole('columnheader', { name: 'AI (advisory)' }).isVisible());
  t.ok(await page.getByRole('columnheader', { name: 'Interview' }).isVisible());
  const eve = rows.filter({ hasText: 'Eve Laurent' });
  t.match(await eve.locator('td.triage').textContent(), /Review.*70.*Possible injection.*Insufficient evidence/);
  t.match(await rows.filter({ hasText: 'Dee Mensah' }).locator('td.triage').textContent(), /Not screened.*AI-free route/);
  t.match(await rows.filter({ hasText: 'Ada Quinn' }).locator('td[data-label="Interview"]').textContent(), /Invited/);
  t.match(await page.getByRole('button', { name: /^New/ }).textContent(), /New\s*5/, 'the stage tab shows its count');

  // Keyboard only: focus Sort and arrow down to "Highest AI score first".
  await page.getByLabel('Sort').focus();
  for (let i = 0; i < 5 && (await page.getByLabel('Sort').inputValue()) !== 'score'; i += 1) await page.keyboard.press('ArrowDown');
  // Arrowing passes "Oldest first" (Ada first too): wait for the score order itself.
  await page.waitForFunction(
    () => (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string }> } }).document.querySelectorAll('tbody tr td[data-label="Candidate"] a')[1]?.textContent === 'Eve Laurent',
  );
  t.same(await names(), ['Ada Quinn', 'Eve Laurent', 'Ben Ortiz', 'Cy Nakamura', 'Dee Mensah'], 'highest AI score first, unscored last');
  await screenshot(page, 'triage-02-pipeline');
  await checkA11y(t, page, 'pipeline list');

  // Keyboard only: focus the flag's checkbox and press Space.
  await page.getByLabel('Possible injection').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('tbody tr').length === 2);
  t.same(await names(), ['Eve Laurent', 'Ben Ortiz']);
  t.match(await page.getByRole('button', { name: /^All stages/ }).textContent(), /All stages\s*2/, 'counts follow the filter');

  await page.getByText(/^Saved views/).click();
  await page.getByLabel('Name for the current view').fill('Injection, best first');
  await page.getByRole('button', { name: 'Save view' }).click();
  await page.getByText('Saved "Injection, best first".').waitFor();
  const saved = await ctx.app.inject({ method: 'GET', url: '/api/v1/saved-views', headers: { cookie: recruiter.cookie } });
  t.same(saved.json<{ views: { name: string; filters: unknown }[] }>().views, [{ ...saved.json<{ views: object[] }>().views[0], name: 'Injection, best first', filters: { sort: 'score', flag: ['injection'] } }]);
  await checkA11y(t, page, 'pipeline with saved views open');

  // A fresh page starts unfiltered; choosing the saved view brings its filters back.
  await page.reload();
  await rows.nth(4).waitFor();
  await page.getByText(/^Saved views/).click();
  await page.getByLabel('Your saved views').selectOption({ label: 'Injection, best first' });
  await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('tbody tr').length === 2);
  t.ok(await page.getByLabel('Possible injection').isChecked());
  t.equal(await page.getByLabel('Sort').inputValue(), 'score');
  await page.close();
});

t.test('board: columns per stage; keyboard-only moves go through the stage and decision rules', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs/${job.id}/pipeline`);
  await page.locator('tbody tr').first().waitFor();
  await page.getByRole('button', { name: 'Board' }).focus();
  await page.keyboard.press('Enter');
  const newCol = page.getByRole('region', { name: /^New/ });
  await newCol.getByRole('listitem').nth(4).waitFor();
  const headings = (await page.locator('.board-col h2').allTextContents()).map((s) => s.replace(/\s*\d+$/, '').trim());
  t.same(headings, ['New', 'Screening', 'Interview', 'Offer', 'Hired', 'Rejected', 'Withdrawn'], 'a column per stage, in pipeline order');
  await checkA11y(t, page, 'board');

  // Move Ada to Screening with the keyboard only: focus the card's "Move to", arrow to the stage, Tab to Move, Enter.
  const ada = newCol.getByRole('listitem').filter({ hasText: 'Ada Quinn' });
  const moveTo = ada.getByLabel('Move to');
  await moveTo.focus();
  for (let i = 0; i < 10 && (await moveTo.evaluate((el) => (el as unknown as { selectedOptions: { textContent: string }[] }).selectedOptions[0]?.textContent)) !== 'Screening'; i += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByText('Ada Quinn moved to Screening.').waitFor();
  await page.getByRole('region', { name: /^Screening/ }).getByText('Ada Quinn').waitFor();

  // Reject Cy with the keyboard: the rejection needs a reason and records a human decision.
  const cy = newCol.getByRole('listitem').filter({ hasText: 'Cy Nakamura' });
  const cyMove = cy.getByLabel('Move to');
  await cyMove.focus();
  for (let i = 0; i < 10 && (await cyMove.evaluate((el) => (el as unknown as { selectedOptions: { textContent: string }[] }).selectedOptions[0]?.textContent)) !== 'Rejected (decision)'; i += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await page.keyboard.type('No production TypeScript in the CV.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByText(/Cy Nakamura moved to Rejected \(decision recorded/).waitFor();
  await page.getByRole('region', { name: /^Rejected/ }).getByText('Cy Nakamura').waitFor();
  const detail = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${ids['Cy Nakamura']}`, headers: { cookie: recruiter.cookie } });
  const decisions = detail.json<{ decisions: { outcome: string; reason: string; decidedBy: string; followedAi: boolean | null }[] }>().decisions;
  t.same(decisions.map((d) => [d.outcome, d.reason, d.decidedBy, d.followedAi]), [['reject', 'No production TypeScript in the CV.', recruiter.userId, true]], 'a human decision with the reason, derived agreement with the AI');
  t.equal(await page.getByRole('region', { name: /^Rejected/ }).getByLabel('Move to').count(), 0, 'a decided application offers no further moves');
  await screenshot(page, 'triage-03-board');
  await checkA11y(t, page, 'board after moves');
  await page.close();
});

t.test('keyboard only: from the pipeline to an application and a recorded decision', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs/${job.id}/pipeline`);
  await page.locator('tbody tr').first().waitFor();
  await page.getByRole('link', { name: 'Ben Ortiz' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/app\/applications\//);
  const decision = page.getByRole('region', { name: 'Decision' });
  await decision.waitFor();
  await decision.getByRole('radio', { name: 'Advance' }).focus();
  await page.keyboard.press('ArrowDown'); // the radio group moves to "Hold"
  t.ok(await decision.getByRole('radio', { name: 'Hold' }).isChecked(), 'arrow keys choose the outcome');
  await page.keyboard.press('Tab'); // "Move to stage"
  await page.keyboard.press('Tab'); // the reason
  await page.keyboard.type('Waiting for a human look at the flagged CV.');
  await page.keyboard.press('Tab'); // "Record decision"
  await page.keyboard.press('Enter');
  await decision.getByText('Decision recorded.').waitFor();
  const detail = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${ids['Ben Ortiz']}`, headers: { cookie: recruiter.cookie } });
  t.same(
    detail.json<{ decisions: { outcome: string; reason: string }[] }>().decisions.map((d) => [d.outcome, d.reason]),
    [['hold', 'Waiting for a human look at the flagged CV.']],
  );
  await checkA11y(t, page, 'application after a decision');
  await page.close();
});

t.test('a hiring manager sees the assigned pipeline and board without stage moves, but may decide', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, manager.cookie);
  await page.goto(`${origin}/app/jobs/${job.id}/pipeline`);
  await page.locator('tbody tr').first().waitFor();
  t.equal(await page.getByRole('checkbox', { name: /Select all/ }).count(), 0, 'no bulk actions');
  await checkA11y(t, page, 'pipeline (hiring manager)');
  await page.getByRole('button', { name: 'Board' }).click();
  const eve = page.getByRole('region', { name: /^New/ }).getByRole('listitem').filter({ hasText: 'Eve Laurent' });
  await eve.waitFor();
  const options = (await eve.getByLabel('Move to').locator('option').allTextContents()).map((s) => s.trim());
  t.same(options, ['Choose a stage…', 'Hired (decision)', 'Rejected (decision)'], 'only decisions, no plain stage moves');
  await page.close();
});

t.test('axe: every other console page and the candidate pages have no serious or critical violation', async (t) => {
  const { page } = admin;
  const consolePages = [
    '/app/jobs',
    '/app/jobs/new',
    `/app/jobs/${job.id}`,
    `/app/jobs/${job.id}/pipeline`,
    `/app/applications/${ids['Ada Quinn']}`,
    `/app/applications/${ids['Dee Mensah']}`,
    '/app/members',
    '/app/settings',
    '/app/templates',
    '/app/reviews',
    '/app/audit',
    '/app/fairness',
    '/app/privacy',
    '/app/account',
    '/app/api-tokens',
  ];
  for (const path of consolePages) {
    await page.goto(`${origin}${path}`);
    await page.locator('main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    await checkA11y(t, page, path);
  }
  const anon = (await newWatchedPage(browser, watch)).page;
  const publicPages: [string, string][] = [
    ['/app/forgot', 'h1'],
    ['/invite/not-a-real-token', 'h1'],
    ['/reset/not-a-real-token', 'h1'],
    ['/setup/not-a-real-token', 'h1'],
    ['/email/confirm/not-a-real-token', 'h1'],
    ['/email/revert/not-a-real-token', 'h1'],
    ['/sso/link', 'h1'],
    ['/app/sign-in?sso=domain_refused', 'h1'],
    [`/jobs/${orgSlug}/${job.slug}`, 'h1'],
    [`/privacy/${orgSlug}/ai`, 'h1'],
    [`/i/${inviteToken}`, 'h1'],
    [`/apply/confirm/${confirmToken}`, 'h1'],
  ];
  for (const [path, ready] of publicPages) {
    await anon.goto(`${origin}${path}`);
    await anon.locator(ready).first().waitFor();
    await anon.waitForLoadState('networkidle');
    await checkA11y(t, anon, path);
  }
  // The candidate's steps past the first page: the apply form's thank-you page (on a phone),
  // the interview consent and the browser-call page.
  const phone = await newWatchedPage(browser, watch, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.page.goto(`${origin}/jobs/${orgSlug}/${otherJob.slug}`);
  await checkA11y(t, phone.page, 'apply page on a phone');
  await phone.page.getByLabel('Full name').fill('Gus Adeyemi');
  await phone.page.getByLabel('Email').fill(`gus.${stamp}@example.test`);
  await phone.page.getByLabel(/^CV/).setInputFiles({ name: 'gus.pdf', mimeType: 'application/pdf', buffer: makePdf(SAMPLE_CV_LINES) });
  await phone.page.getByRole('checkbox', { name: /I have read the notice/ }).check();
  await phone.page.getByRole('button', { name: 'Submit application' }).click();
  await phone.page.getByRole('heading', { name: 'Thank you' }).waitFor();
  await checkA11y(t, phone.page, 'apply thank-you page');
  await phone.context.close();
  await anon.goto(`${origin}/i/${inviteToken}`);
  await anon.getByLabel(/In this browser/).check();
  await anon.getByRole('button', { name: /I have read this and agree/ }).click();
  await anon.getByText(/start the interview when you are ready/).waitFor();
  await checkA11y(t, anon, 'interview consent given');
  await anon.getByRole('link', { name: 'Open the interview page' }).click();
  await anon.locator('#browser-call-status', { hasText: 'Ready when you are.' }).waitFor({ timeout: 15_000 });
  await checkA11y(t, anon, 'browser interview page');

  // The check can fail: an image without a text alternative on the same page is found.
  await anon.evaluate(() => {
    const d = (globalThis as unknown as { document: { createElement(n: string): { src: string }; body: { append(n: unknown): void } } }).document;
    const img = d.createElement('img');
    img.src = '/app/missing.png';
    d.body.append(img);
  });
  t.ok((await axeViolations(anon)).some((f) => f.id === 'image-alt'), 'axe reports a planted violation (the check is live)');
  await anon.goto(`${origin}/app/sign-in?sso=domain_refused`);
  await anon.getByRole('alert').waitFor();
  t.match(await anon.getByRole('alert').textContent(), /email domain may not sign in/, 'an SSO refusal is explained on the sign-in page');
  await screenshot(anon, 'triage-04-sso-error');
  t.same(watch.csp, [], 'no CSP violation on any page (axe ran through DevTools, not an inline script)');
  t.same(watch.errors, [], 'no page errors');
});
