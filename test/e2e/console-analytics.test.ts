// The Analytics screen in a real browser (Debian Chromium via playwright-core) against the
// real app: candidates apply from a campaign link, a recruiter decides, and the recruiter
// opens Analytics: funnel chart and table, sources, the suppressed time to hire, the CSV
// link; axe finds no serious WCAG violation, no CSP violation, no script error. Hiring
// managers have no Analytics link. HIREBOX_UPDATE_SCREENSHOTS=1 refreshes
// docs/screenshots/analytics.png.
import t from 'tap';
import { join } from 'node:path';
import { packageRoot } from '../../server/core/paths.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createJob } from '../fixtures/hiring.js';
import { multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { connectOwner, createOrgWithMember } from '../helper.js';
import { axeViolations, describeFindings } from './axe.js';
import { launch, layoutProblems, listeningTestApp, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const { ctx, origin, sameOrigin } = await listeningTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const recruiter = sameOrigin(await createOrgWithMember(ctx, 'recruiter', admin.orgId));
const manager = sameOrigin(await createOrgWithMember(ctx, 'hiring_manager', admin.orgId));
const job = await createJob(ctx, recruiter, { title: 'Site Reliability Engineer' });
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;

let n = 0;
async function apply(utm: Record<string, string>): Promise<void> {
  n += 1;
  const fields = { ...utm, name: `Browser Applicant ${n}`, email: `analytics-e2e${n}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION };
  const { body, contentType } = multipartBody(fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.3.0.${n}` });
  if (res.statusCode !== 202) throw new Error(`apply: ${res.statusCode} ${res.body}`);
}
async function decide(id: string, outcome: 'advance' | 'reject' | 'hire'): Promise<void> {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/decision`, headers: recruiter.headers, payload: { outcome, reason: 'e2e' } });
  if (res.statusCode !== 201) throw new Error(`decide: ${res.statusCode} ${res.body}`);
}
// 6 from LinkedIn, 2 without a source; 2 hired, 3 rejected.
for (let i = 0; i < 6; i++) await apply({ utm_source: 'linkedin', utm_campaign: 'Autumn' });
for (let i = 0; i < 2; i++) await apply({});
const ids = (await owner.query<{ id: string }>('SELECT id FROM applications WHERE job_id = $1 ORDER BY created_at, id', [job.id])).rows.map((r) => r.id);
for (const [i, id] of ids.entries()) {
  if (i < 2) {
    await decide(id, 'advance');
    await decide(id, 'advance');
    await decide(id, 'hire');
  } else if (i < 5) await decide(id, 'reject');
}

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

t.test('a recruiter opens Analytics: funnel chart and table, sources, suppressed time to hire, CSV link, axe clean', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).click();
  await page.waitForURL(`${origin}/app/analytics`);
  await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
  await page.getByTestId('analytics-summary').waitFor();
  t.match(await page.getByTestId('analytics-summary').textContent(), /8 applications; 2 hired, 3 rejected, 3 in progress\. Time to hire: hidden \(fewer than the minimum sample; n=2\)/);
  const funnel = page.getByTestId('analytics-funnel');
  t.match(await funnel.getByRole('row', { name: /^New/ }).textContent(), /^New8/);
  t.match(await funnel.getByRole('row', { name: /^Hired/ }).textContent(), /^Hired2100\.0%/);
  t.match(await page.getByRole('img', { name: /Applications that reached each stage/ }).getAttribute('data-testid'), 'chart-funnel', 'the chart has an accessible name');
  t.match(await page.getByTestId('analytics-sources').getByRole('row', { name: /^linkedin/ }).textContent(), /^linkedin62$/);
  await page.getByLabel('Analytics for').selectOption({ label: 'Site Reliability Engineer' });
  await page.getByRole('link', { name: 'Download CSV' }).and(page.locator(`[href*="${job.id}"]`)).waitFor();
  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `no serious or critical WCAG violation${found.length ? `\n${describeFindings(found)}` : ''}`);
  t.same(await layoutProblems(page), [], 'no unlabelled control, no duplicate id, nothing wider than the screen');
  await screenshot(page, '70-analytics-recruiter');
  if (process.env.HIREBOX_UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: join(packageRoot(), 'docs', 'screenshots', 'analytics.png'), fullPage: true });
  const csv = await page.evaluate(async (href) => (await fetch(href)).text(), `/api/v1/analytics/report.csv?jobId=${job.id}`);
  t.match(csv, /"applications_by_source","linkedin",6,6,false/);
  await page.close();
});

t.test('hiring managers have no Analytics link; no CSP violation or script error', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, manager.cookie);
  await page.goto(`${origin}/app/jobs`);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  t.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).count(), 0);
  await page.close();
  t.same(watch.csp, []);
  t.same(watch.errors, []);
});
