// The Fairness screen in a real browser (Debian Chromium via playwright-core) against the
// real app: candidates apply with voluntary demographics, a recruiter decides through the
// API, an auditor opens Fairness and sees the per-job table with the flagged and the
// small-sample categories; an admin changes the thresholds and the report follows them.
// Recruiters have no Fairness link. No CSP violation, no script error.
import t from 'tap';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createJob } from '../fixtures/hiring.js';
import { multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { launch, layoutProblems, listeningTestApp, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const { ctx, origin, sameOrigin } = await listeningTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const auditor = sameOrigin(await createOrgWithMember(ctx, 'auditor', admin.orgId));
const recruiter = sameOrigin(await createOrgWithMember(ctx, 'recruiter', admin.orgId));
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer' });
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;

let n = 0;
async function apply(demographics: Record<string, string>): Promise<void> {
  n += 1;
  const fields: Record<string, string> = { name: `Browser Applicant ${n}`, email: `browser${n}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION };
  for (const [k, v] of Object.entries(demographics)) fields[`demographics.${k}`] = v;
  const { body, contentType } = multipartBody(fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.2.0.${n}` });
  if (res.statusCode !== 202) throw new Error(`apply: ${res.statusCode} ${res.body}`);
}
async function decide(id: string, outcome: 'advance' | 'reject'): Promise<void> {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/decision`, headers: recruiter.headers, payload: { outcome, reason: 'e2e' } });
  if (res.statusCode !== 201) throw new Error(`decide: ${res.statusCode} ${res.body}`);
}
// 5 women (1 advanced), 5 men (4 advanced), 3 non-binary (1 advanced: small sample under n=5).
for (let i = 0; i < 5; i++) await apply({ gender: 'female' });
for (let i = 0; i < 5; i++) await apply({ gender: 'male' });
for (let i = 0; i < 3; i++) await apply({ gender: 'non_binary_other' });
const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications?limit=100`, headers: { cookie: recruiter.cookie } });
const ids = list
  .json<{ applications: { id: string; createdAt: string }[] }>()
  .applications.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  .map((a) => a.id);
for (const [i, id] of ids.entries()) {
  const advanced = i === 0 || (i >= 5 && i < 9) || i === 10;
  if (advanced) {
    await decide(id, 'advance');
    await decide(id, 'advance');
  } else await decide(id, 'reject');
}

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

const memberPage = async (m: Member) => (await signedInPage(browser, watch, origin, m.cookie)).page;

t.test('an auditor opens Fairness and sees the per-job table with flagged and small-sample categories', async (t) => {
  const page = await memberPage(auditor);
  await page.goto(`${origin}/app/audit`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Fairness' }).click();
  await page.waitForURL(`${origin}/app/fairness`);
  await page.getByRole('heading', { name: 'Fairness' }).waitFor();
  await page.getByTestId('bias-summary').waitFor();
  t.match(await page.getByTestId('bias-summary').textContent(), /13 applications, 13 with self-identified demographics/, 'the org-wide report first');
  await page.getByLabel('Report for').selectOption({ label: 'Platform Engineer' });
  await page.getByTestId('bias-summary').filter({ hasText: 'Threshold 0.8' }).waitFor();
  const table = page.getByTestId('bias-gender');
  await table.waitFor();
  t.match(await page.getByRole('img', { name: /^Sex \/ gender: share advanced past screening/ }).textContent(), /Female: 20; Male: 80; Non-binary or another gender: 33\.3/, 'a chart with a name and its numbers as a description');
  const woman = table.getByRole('row', { name: /^Female/ });
  t.match(await woman.textContent(), /Female5\s*1\/5 · 20\.0%ratio 0\.25 below threshold/, 'women: 1 of 5 advanced, ratio 0.25, flagged');
  t.match(await table.getByRole('row', { name: /^Male/ }).textContent(), /Male5\s*4\/5 · 80\.0%ratio 1\.00/, 'men: the reference rate');
  t.match(await table.getByRole('row', { name: /^Non-binary or another gender/ }).textContent(), /Non-binary or another gender3\s*1\/3 · 33\.3%small sample/, 'three people: small sample, not flagged');
  t.notMatch(await table.getByRole('row', { name: /^Non-binary or another gender/ }).textContent(), /below threshold/);
  t.match(await page.getByTestId('bias-breaches').textContent(), /1 category is below the threshold/);
  t.equal(await page.getByRole('heading', { name: 'Thresholds' }).count(), 0, 'auditors cannot change thresholds');
  t.same(await layoutProblems(page), [], 'no unlabelled control, no duplicate id, nothing wider than the screen');
  await screenshot(page, '60-fairness-auditor');
  const viewed = await ctx.db.withTenant(admin.orgId, (q) => q.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'bias.report_viewed' AND actor_id = $1", [auditor.userId]));
  t.ok((viewed.rows[0]?.n ?? 0) >= 2, 'every view is audited');
});

t.test('an admin changes the thresholds and the report follows them', async (t) => {
  const page = await memberPage(admin);
  await page.goto(`${origin}/app/fairness`);
  await page.getByLabel('Report for').selectOption({ label: 'Platform Engineer' });
  await page.getByTestId('bias-breaches').waitFor();
  await page.getByLabel(/Impact ratio threshold/).fill('0.5');
  await page.getByLabel(/Minimum people per category/).fill('3');
  await page.getByRole('button', { name: 'Save thresholds' }).click();
  await page.getByText('Thresholds saved.').waitFor();
  await page.getByTestId('bias-summary').filter({ hasText: 'Threshold 0.5' }).waitFor();
  const woman = page.getByTestId('bias-gender').getByRole('row', { name: /^Female/ });
  t.match(await woman.textContent(), /ratio 0\.25 below threshold/, '0.25 is still under 0.5');
  const nb = page.getByTestId('bias-gender').getByRole('row', { name: /^Non-binary or another gender/ });
  t.match(await nb.textContent(), /ratio 0\.42 below threshold/, 'with a minimum of 3 people, non-binary (1/3 vs 4/5 = 0.42) is no longer small-sample and is flagged');
  await page.getByLabel(/Minimum people per category/).fill('5');
  await page.getByLabel(/Impact ratio threshold/).fill('0.5');
  await page.getByRole('button', { name: 'Save thresholds' }).click();
  // The row's other cells (no AI scores here) are small-sample whatever the minimum: wait for
  // the save, then for the advanced-past-screening cell itself.
  await page.getByText('Thresholds saved.').waitFor();
  await nb.getByTestId('metric').first().filter({ hasText: 'small sample' }).waitFor();
  const stored = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/bias-settings', headers: admin.headers });
  t.match(stored.json(), { impactRatioThreshold: 0.5, minSampleSize: 5 }, 'stored through the API');
  t.same(await layoutProblems(page), []);
  await screenshot(page, '61-fairness-admin');
});

t.test('recruiters have no Fairness link', async (t) => {
  const page = await memberPage(recruiter);
  await page.goto(`${origin}/app/jobs`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).waitFor();
  t.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Fairness' }).count(), 0);
});

t.test('no CSP violation and no script error on these screens', async (t) => {
  t.same(watch.csp, []);
  t.same(watch.errors, []);
});
