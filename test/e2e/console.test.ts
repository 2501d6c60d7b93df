// The recruiter console in a real browser (Debian Chromium via playwright-core) against
// the real app listening on 127.0.0.1 with real Postgres, Redis and the cv-parse and
// cv-screen workers (simulated AI provider): sign-in with MFA enrolment, job with criteria,
// a public application with a CV, the pipeline and application screens with the advisory
// screening and its evidence highlighted in the CV, a recruiter's decision, a hiring manager's and an
// auditor's restricted views, session expiry, and no CSP violation anywhere.
import t from 'tap';
import { Redis } from 'ioredis';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { totpCode } from '../../server/modules/auth/totp.js';
import { createLogger } from '../../server/core/logger.js';
import { startWorkers } from '../../worker/worker.js';
import { createModelProvider } from '../../server/modules/model-providers/providers.js';
import { createOrgWithMember, type Member } from '../helper.js';
import { makePdf, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { launch, listeningTestApp, newWatchedPage, requireBrowserAndBuild, screenshot, type Watch } from './browser.js';

requireBrowserAndBuild();

const { ctx, origin } = await listeningTestApp(t);

const workerConnection = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const workers = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerConnection,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  // As worker/main.ts wires it; the test config selects AI_PROVIDER=simulated.
  screening: { provider: createModelProvider(ctx.config), defaultModel: ctx.config.openai.model, redis: workerConnection },
});

const adminEmail = `admin.${Date.now()}@acme.test`;
const adminPassword = 'correct horse battery staple e2e';
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
const { orgId } = await orgs.createOrg({ name: 'Acme Robotics', slug: `acme-${Date.now().toString(36)}`, adminEmail, adminPassword });
const recruiter = await createOrgWithMember(ctx, 'recruiter', orgId);
const manager = await createOrgWithMember(ctx, 'hiring_manager', orgId);
const auditor = await createOrgWithMember(ctx, 'auditor', orgId);
// A job the hiring manager is not assigned to.
const other = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...recruiter.headers, origin }, payload: { title: 'Unassigned Data Analyst', employmentType: 'full_time', status: 'open' } });
if (other.statusCode !== 201) throw new Error(`seed job: ${other.statusCode} ${other.body}`);

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(async () => {
  await browser.close();
  await workers.close();
  workerConnection.disconnect();
});

function sessionCookie(m: Member) {
  const [name, value] = m.cookie.split('=') as [string, string];
  return { name, value, url: origin, httpOnly: true, sameSite: 'Lax' as const };
}

async function memberPage(m: Member, viewport?: { width: number; height: number }) {
  const { context, page } = await newWatchedPage(browser, watch, viewport ? { viewport } : {});
  await context.addCookies([sessionCookie(m)]);
  return { context, page };
}

const admin = await newWatchedPage(browser, watch);
let jobId = '';
let applyUrl = '';
let applicationId = '';
let recoveryCodes: string[] = [];
const candidateName = 'Grace Hopper';

t.test('an admin signs in and enrols MFA with the QR code, then sees the recovery codes', async (t) => {
  const { page } = admin;
  const started = Date.now();
  const res = await page.goto(`${origin}/app/jobs`);
  t.equal(res?.status(), 200);
  t.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'the strict CSP is sent with the console');
  t.equal(res?.headers()['cache-control'], 'no-store', 'index.html is never cached');
  await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2Fjobs/);
  await screenshot(page, '01-sign-in');
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill('wrong password for sure');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  t.match(await page.getByRole('alert').textContent(), /password|sign/i, 'a failed sign-in shows the API\'s message');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/mfa/);
  const qr = page.getByRole('img', { name: /QR code/ });
  await qr.waitFor();
  t.ok(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0), 'the QR code image (data: URL) loads under the CSP');
  const secret = (await page.locator('code.secret').textContent())?.trim() ?? '';
  t.match(secret, /^[A-Z2-7]{16,}$/, 'the manual-entry key is shown');
  await screenshot(page, '02-mfa-enrol');
  await page.getByLabel('Code').fill(await totpCode(secret, new Date()));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  recoveryCodes = (await page.getByRole('list', { name: 'Recovery codes' }).locator('li').allTextContents()).map((s) => s.trim());
  t.equal(recoveryCodes.length, 10, 'ten recovery codes are shown');
  await screenshot(page, '03-recovery-codes');
  await page.getByRole('button', { name: /continue/ }).click();
  await page.waitForURL(`${origin}/app/jobs`);
  await page.getByRole('link', { name: 'Unassigned Data Analyst' }).waitFor();
  t.ok(await page.getByText('Acme Robotics').isVisible(), 'the org is named in the header');
  t.comment(`sign-in with enrolment took ${Date.now() - started} ms`);
});

t.test('the admin creates a job with a criteria rubric, interview questions and a hiring manager', async (t) => {
  const { page } = admin;
  await page.getByRole('link', { name: 'New job' }).click();
  await page.getByLabel('Title').fill('Senior Backend Engineer');
  await page.getByLabel('Location').fill('Berlin or remote');
  await page.getByLabel('Status').selectOption('open');
  await page.getByLabel('Description').fill('Build the platform that hires people fairly.\n\nTypeScript, Postgres, Redis.');
  await page.getByRole('button', { name: 'Add criterion' }).click();
  await page.getByLabel('Criterion 1').fill('TypeScript services');
  await page.getByLabel('What good looks like').first().fill('Years of production TypeScript on the server');
  await page.getByRole('checkbox', { name: 'Must have' }).first().check();
  await page.getByRole('button', { name: 'Add criterion' }).click();
  await page.getByLabel('Criterion 2').fill('PostgreSQL');
  await page.locator('input[name="criterion-1-weight"]').fill('2');
  await page.getByRole('button', { name: 'Add question' }).click();
  await page.getByLabel('Question 1').fill('Tell us about a system you designed end to end.');
  await page.getByRole('checkbox', { name: /hiring_manager/ }).check();
  await screenshot(page, '04-job-editor');
  await page.getByRole('button', { name: 'Create job' }).click();
  await page.waitForURL(/\/app\/jobs\/[0-9a-f-]{36}$/);
  jobId = page.url().split('/').pop() as string;
  await page.getByText('Saved.').waitFor();
  await page.getByRole('link', { name: 'Candidates' }).click();
  await page.getByText('No applications yet.').waitFor();
  t.ok(await page.getByText(/Share the job's apply page/).isVisible(), 'the empty pipeline says what to do next');
  const job = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: recruiter.headers });
  const body = job.json<{ criteria: { name: string; mustHave: boolean; weight: number }[]; interviewQuestions: string[]; hiringManagerIds: string[]; status: string }>();
  t.same(
    body.criteria.map((c) => [c.name, c.mustHave, c.weight]),
    [
      ['TypeScript services', true, 1],
      ['PostgreSQL', false, 2],
    ],
    'the rubric is stored as entered',
  );
  t.same(body.interviewQuestions, ['Tell us about a system you designed end to end.']);
  t.same(body.hiringManagerIds, [manager.userId], 'the hiring manager is assigned');
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  const apply = page.getByRole('link', { name: 'Apply page' }).first();
  applyUrl = new URL((await apply.getAttribute('href')) as string, origin).toString();
  t.match(applyUrl, /\/jobs\/acme-[a-z0-9]+\/senior-backend-engineer/);
  await screenshot(page, '05-jobs-list');
});

t.test('a candidate applies through the public page with a CV', async (t) => {
  const { context, page } = await newWatchedPage(browser, watch, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const res = await page.goto(applyUrl);
  t.equal(res?.status(), 200);
  await page.getByRole('heading', { name: 'Senior Backend Engineer' }).waitFor();
  t.ok(await page.getByText(/how your data is used/).isVisible(), 'the privacy and AI notice is shown before applying');
  await page.getByLabel('Full name').fill(candidateName);
  await page.getByLabel('Email').fill('grace@example.test');
  await page.getByLabel(/^CV/).setInputFiles({ name: 'grace-hopper.pdf', mimeType: 'application/pdf', buffer: makePdf(SAMPLE_CV_LINES) });
  await page.getByRole('checkbox', { name: /I have read the notice/ }).check();
  await screenshot(page, '06-apply-phone');
  await page.getByRole('button', { name: 'Submit application' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  await screenshot(page, '07-apply-thanks');
  await context.close();
});

t.test('the application appears in the pipeline, its CV is read and screened while the page is open, and the evidence is highlighted', async (t) => {
  const { page } = admin;
  const started = Date.now();
  await page.goto(`${origin}/app/jobs/${jobId}/pipeline`);
  const row = page.getByRole('link', { name: candidateName });
  await row.waitFor();
  const nav = await page.evaluate(() => {
    const perf = (globalThis as unknown as { performance: { getEntriesByType(t: string): { domInteractive: number; loadEventEnd: number }[] } }).performance;
    const entry = perf.getEntriesByType('navigation')[0];
    return { domInteractive: Math.round(entry?.domInteractive ?? -1), loaded: Math.round(entry?.loadEventEnd ?? -1) };
  });
  t.comment(`pipeline page: DOM interactive ${nav.domInteractive} ms, load ${nav.loaded} ms, candidate row visible ${Date.now() - started} ms after navigation start`);
  t.ok(await page.getByRole('button', { name: 'New' }).isVisible(), 'stage tabs are shown');
  // Server-side search over encrypted names (blind-index tokens), debounced while typing.
  await page.getByLabel(/Search candidates/).fill('nobody');
  await page.getByText('No candidate matches "nobody".').waitFor();
  t.equal(await row.count(), 0, 'a name that matches nobody lists nobody');
  await page.getByLabel(/Search candidates/).fill('hopp');
  await row.waitFor();
  t.equal(await page.getByRole('table').getByRole('link').count(), 1, 'a name prefix finds the candidate');
  await page.getByLabel(/Search candidates/).fill('');
  await row.waitFor();
  await screenshot(page, '08-pipeline');
  await row.click();
  await page.waitForURL(/\/app\/applications\/[0-9a-f-]{36}$/);
  applicationId = page.url().split('/').pop() as string;
  await page.getByRole('heading', { name: candidateName }).waitFor();
  // The worker parses the CV; the page polls and shows the text without a reload.
  await page.getByText('CV text extracted').waitFor({ timeout: 30_000 });
  t.match(await page.getByLabel('CV text').textContent(), /TypeScript services with Postgres/, 'the CV text is shown');
  // The cv-screen worker screens the parsed CV; the page polls and shows the advisory result.
  const panel = page.getByTestId('screening-status');
  await panel.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 30_000 });
  t.comment(`CV read and screened ${Date.now() - started} ms after opening the pipeline`);
  const advisory = await page.getByTestId('screening-advisory').textContent();
  t.match(advisory, /Advisory/, 'the screening is labelled advisory');
  t.match(advisory, /Simulated/, 'and simulated, as the API says');
  const api = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/screening`, headers: recruiter.headers });
  const latest = api.json<{ latest: { recommendation: string; criteria: { name: string; evidence: { quote: string; grounded: boolean }[] }[] } }>().latest;
  t.equal(await page.getByTestId('screening-recommendation').textContent(), { advance: 'Advance', review: 'Review', not_advance: 'Do not advance' }[latest.recommendation], 'the recommendation is shown');
  const criteria = page.getByRole('list', { name: 'Criteria' });
  for (const c of latest.criteria) t.ok(await criteria.getByText(c.name, { exact: true }).isVisible(), `criterion "${c.name}" is listed with its score and verdict`);
  t.match(await criteria.textContent(), /TypeScript services\s*must have\s*\d\/4\s*(met|partly met)/, 'score and verdict per criterion');
  t.match(await criteria.textContent(), /SIMULATED: \d CV line\(s\) mention/, 'the reasoning is shown');
  const marks = (await page.getByLabel('CV text').locator('mark').allTextContents()).map((m) => m.trim());
  const grounded = [...new Set(latest.criteria.flatMap((c) => c.evidence.filter((e) => e.grounded).map((e) => e.quote.trim())))];
  t.ok(grounded.length > 0, 'the simulated screening quotes the CV');
  t.ok(marks.length > 0 && marks.every((m) => grounded.includes(m)), 'every mark in the CV is exactly an evidence quote');
  t.ok(marks.some((m) => /TypeScript services with Postgres/.test(m)), 'the evidence is highlighted inside the CV text');
  // "Follows the AI" is derived by the server; the form previews it for the default outcome (advance).
  const expected = latest.recommendation === 'advance' ? /this decision follows/ : latest.recommendation === 'not_advance' ? /this decision departs from/ : /not applicable/;
  t.match(await page.getByTestId('followed-ai-preview').textContent(), expected, '"follows the AI" is previewed from the recommendation for the default outcome');
  await screenshot(page, '09-application');
});

t.test('a recruiter records a decision with the reason; whether it follows the AI is derived', async (t) => {
  const { context, page } = await memberPage(recruiter);
  await page.goto(`${origin}/app/applications/${applicationId}`);
  await page.getByRole('heading', { name: 'Decision' }).waitFor();
  await page.getByRole('button', { name: 'Record decision' }).click();
  t.ok(await page.getByLabel(/Reason/).evaluate((el) => !(el as unknown as { validity: { valid: boolean } }).validity.valid), 'a reason is required before submitting');
  await page.getByTestId('screening-recommendation').waitFor();
  const rec = (await page.getByTestId('screening-recommendation').textContent()) ?? '';
  await page.getByRole('radio', { name: 'Reject' }).check();
  const preview = page.getByTestId('followed-ai-preview');
  const direction = (follows: boolean): RegExp => (rec === 'Advance' || rec === 'Do not advance' ? (follows ? /this decision follows/ : /this decision departs from/) : /not applicable/);
  t.match(await preview.textContent(), direction(rec === 'Do not advance'), 'the preview follows the outcome against the recommendation');
  await page.getByRole('radio', { name: 'Advance' }).check();
  t.match(await preview.textContent(), direction(rec === 'Advance'));
  await page.getByLabel(/Reason/).fill('Strong TypeScript and Postgres experience; worth an interview.');
  await page.getByRole('button', { name: 'Record decision' }).click();
  await page.getByText('Decision recorded.').waitFor();
  await page.getByRole('list', { name: 'Decisions' }).getByText('advance by you').waitFor();
  await page.getByRole('textbox', { name: 'Text', exact: true }).fill('Phone screen went well.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('list', { name: 'Notes' }).getByText('Phone screen went well.').waitFor();
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}`, headers: recruiter.headers });
  const decisions = res.json<{ decisions: { decidedBy: string; outcome: string; followedAi: boolean | null; reason: string }[] }>().decisions;
  const derived = rec === 'Advance' ? true : rec === 'Do not advance' ? false : null;
  t.match(decisions, [{ decidedBy: recruiter.userId, outcome: 'advance', followedAi: derived, reason: /Strong TypeScript/ }], 'who, what, why, and the derived AI question are recorded');
  await screenshot(page, '10-decision');
  await context.close();
});

t.test('a hiring manager sees only assigned jobs and can leave feedback', async (t) => {
  const { context, page } = await memberPage(manager, { width: 390, height: 844 });
  await page.goto(`${origin}/app/jobs`);
  await page.getByRole('link', { name: 'Senior Backend Engineer' }).waitFor();
  t.equal(await page.getByText('Unassigned Data Analyst').count(), 0, 'the unassigned job is not listed');
  t.equal(await page.getByRole('link', { name: 'New job' }).count(), 0, 'no job creation for hiring managers');
  await screenshot(page, '11-hiring-manager-jobs-phone');
  await page.goto(`${origin}/app/applications/${applicationId}`);
  await page.getByLabel('Kind').selectOption('feedback');
  // The feedback note's own rating (the scorecard form above has per-criterion 'Rating for …' groups).
  await page.locator('select[name="rating"]').selectOption('4');
  await page.getByRole('textbox', { name: 'Text', exact: true }).fill('Good systems thinking.');
  await page.getByRole('button', { name: 'Add feedback' }).click();
  await page.getByRole('list', { name: 'Notes' }).getByText('Good systems thinking.').waitFor();
  await page.goto(`${origin}/app/jobs/${other.json<{ id: string }>().id}/pipeline`);
  await page.getByRole('alert').first().waitFor();
  t.match(await page.getByRole('alert').first().textContent(), /not found|does not exist|no job/i, 'an unassigned job reads as not found');
  await context.close();
});

t.test('an auditor sees the audit log with a verified chain and cannot edit anything', async (t) => {
  const { context, page } = await memberPage(auditor);
  await page.goto(`${origin}/app/`);
  await page.waitForURL(`${origin}/app/audit`);
  await page.getByTestId('chain-status').getByText('Chain verified.').waitFor();
  await page.getByText('application.decided').first().waitFor();
  t.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs', exact: true }).count(), 0, 'no jobs screen for auditors');
  await screenshot(page, '12-audit-log');
  await page.getByRole('link', { name: 'Members' }).click();
  await page.getByRole('table').waitFor();
  t.equal(await page.getByLabel('Invite by email').count(), 0, 'no invite form');
  t.equal(await page.getByRole('combobox').count(), 0, 'no role selectors');
  t.equal(await page.getByRole('button', { name: 'Remove' }).count(), 0, 'no remove buttons');
  await page.goto(`${origin}/app/jobs/new`);
  await page.getByRole('button', { name: 'Create job' }).waitFor();
  await page.getByLabel('Title').fill('Should not exist');
  await page.getByRole('button', { name: 'Create job' }).click();
  await page.getByRole('alert').waitFor();
  t.match(await page.getByRole('alert').textContent(), /role does not allow/i, 'the API refusal is shown as a readable message');
  const jobs = await ctx.db.withTenant(orgId, (q) => q.query("SELECT count(*)::int AS n FROM jobs WHERE title = 'Should not exist'"));
  t.equal((jobs.rows[0] as { n: number }).n, 0, 'nothing was created');
  await context.close();
});

t.test('an expired session sends the admin to sign in and back to the same page', async (t) => {
  const { context, page } = admin;
  await context.clearCookies();
  await page.goto(`${origin}/app/applications/${applicationId}`);
  await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2Fapplications/);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/mfa/);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(recoveryCodes[0] as string);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(`${origin}/app/applications/${applicationId}`, { waitUntil: 'commit' }).catch(async (e: unknown) => {
    await screenshot(page, 'fail-expiry');
    throw e;
  });
  await page.getByRole('heading', { name: candidateName }).waitFor();
  t.pass('back on the application after signing in again');
});

t.test('the console assets are hashed, long-cached and compressed', async (t) => {
  const index = await fetch(`${origin}/app/`);
  const html = await index.text();
  const assets = [...html.matchAll(/(?:src|href)="(\/app\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
  t.ok(assets.length >= 2, 'a script and a stylesheet');
  t.notMatch(html, /<script>|<style|style=/, 'no inline script or style');
  let gz = 0;
  for (const a of assets) {
    t.match(a, /-[A-Za-z0-9_-]{8}\.(js|css)$/, `${a} has a content hash`);
    const res = await fetch(`${origin}${a}`);
    t.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    t.equal(res.headers.get('content-encoding'), 'gzip');
    gz += Number(res.headers.get('content-length'));
  }
  t.comment(`page weight (JS + CSS, gzipped as served): ${gz} bytes`);
  t.ok(gz > 0 && gz < 60_000, 'the console stays small');
  const missing = await fetch(`${origin}/app/assets/nope-12345678.js`);
  t.equal(missing.status, 404);
});

t.test('no page produced a CSP violation, and the watcher does catch one', async (t) => {
  t.same(watch.csp, [], 'no CSP violations');
  t.same(watch.errors, [], 'no script errors');
  // Control: a style element injected at runtime is refused and reported.
  const control: Watch = { csp: [], errors: [] };
  const { context, page } = await newWatchedPage(browser, control);
  await page.goto(`${origin}/app/sign-in`);
  await page.evaluate(() => {
    const d = (globalThis as unknown as { document: { createElement(n: string): { textContent: string }; head: { append(n: unknown): void } } }).document;
    const s = d.createElement('style');
    s.textContent = 'body{color:red}';
    d.head.append(s);
  });
  await page.waitForTimeout(300);
  t.ok(control.csp.length > 0, 'an inline style is reported as a CSP violation');
  await context.close();
});
