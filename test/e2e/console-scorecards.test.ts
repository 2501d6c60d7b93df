// Interview scorecards in a real browser (Debian Chromium via playwright-core) against the real
// app: a hiring manager has submitted a scorecard through the API; a recruiter opens the
// application, sees that the other scorecard is hidden, fills in the form with one evidence
// note missing (error shown, nothing saved), fixes it, submits, then sees the hiring manager's
// scorecard and the job's Scorecards summary (agreement per criterion). Keyboard only for the
// ratings; axe finds no serious WCAG violation, no CSP violation, no script error.
// HIREBOX_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/scorecard.png.
import t from 'tap';
import { join } from 'node:path';
import { packageRoot } from '../../server/core/paths.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { connectOwner, createOrgWithMember } from '../helper.js';
import { axeViolations, describeFindings } from './axe.js';
import { launch, layoutProblems, listeningTestApp, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const { ctx, origin, sameOrigin } = await listeningTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const recruiter = sameOrigin(await createOrgWithMember(ctx, 'recruiter', admin.orgId));
const manager = sameOrigin(await createOrgWithMember(ctx, 'hiring_manager', admin.orgId));
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer', hiringManagerIds: [manager.userId] });
const applicationId = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
const hm = await ctx.app.inject({
  method: 'PUT',
  url: `/api/v1/applications/${applicationId}/scorecard`,
  headers: manager.headers,
  payload: {
    ratings: [
      { criterion: 'c1', rating: 4, evidence: 'Walked through a typed API design with clear error types.' },
      { criterion: 'c2', rating: 2, evidence: 'Unsure about composite indexes.' },
    ],
    recommendation: 'yes',
    submit: true,
  },
});
if (hm.statusCode !== 200) throw new Error(`hiring manager scorecard: ${hm.statusCode} ${hm.body}`);
const mine = async () => (await owner.query<{ status: string }>('SELECT status FROM scorecards WHERE author_id = $1', [recruiter.userId])).rows;

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

t.test('a recruiter fills a scorecard: missing evidence is shown as an error, then submits and sees the others and the summary', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/applications/${applicationId}`);
  const form = page.getByTestId('scorecard');
  await form.getByRole('heading', { name: 'Your scorecard' }).waitFor();
  t.match(await page.getByTestId('other-scorecards').textContent(), /1 other interviewer\(s\) submitted a scorecard\. They are shown after you submit/);
  t.notMatch(await page.getByTestId('other-scorecards').textContent(), /typed API design/, 'the hiring manager\'s evidence is hidden');

  // Ratings by keyboard: focus the first radio of each group and move with the arrow keys.
  const ts = form.getByRole('group', { name: 'TypeScript' });
  await ts.getByRole('radio', { name: /^1/ }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  t.ok(await ts.getByRole('radio', { name: /^4/ }).isChecked(), 'arrow keys move the TypeScript rating to 4');
  await ts.getByLabel('Evidence for TypeScript').fill('Designed a typed API and explained the error types.');
  const pg = form.getByRole('group', { name: 'Postgres' });
  await pg.getByRole('radio', { name: /^3/ }).check();
  await form.getByRole('group', { name: 'Overall recommendation' }).getByRole('radio', { name: 'Yes', exact: true }).check();
  await form.getByRole('button', { name: 'Submit scorecard' }).click();
  const problems = form.getByTestId('scorecard-problems');
  await problems.waitFor();
  t.match(await problems.textContent(), /Write the evidence for this rating\./);
  t.equal(await pg.getByLabel('Evidence for Postgres').getAttribute('aria-invalid'), 'true');
  t.ok(await pg.getByLabel('Evidence for Postgres').evaluate((el) => el === (el.getRootNode() as { activeElement?: unknown }).activeElement), 'focus moves to the field to fix');
  t.same(await mine(), [], 'nothing was saved');

  await page.keyboard.type('Chose a composite index with org_id first and explained why.');
  await form.getByRole('button', { name: 'Submit scorecard' }).click();
  await form.getByText('Scorecard submitted.').waitFor();
  t.equal(await problems.count(), 0, 'the error is gone');
  t.same(await mine(), [{ status: 'submitted' }]);
  const others = page.getByTestId('other-scorecards');
  await others.getByText(/typed API design with clear error types/).waitFor();
  t.match(await others.textContent(), /Yes · submitted/);

  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `no serious or critical WCAG violation${found.length ? `\n${describeFindings(found)}` : ''}`);
  t.same(await layoutProblems(page), [], 'no unlabelled control, no duplicate id, nothing wider than the screen');
  await screenshot(page, '75-scorecard');
  if (process.env.HIREBOX_UPDATE_SCREENSHOTS === '1') await form.screenshot({ path: join(packageRoot(), 'docs', 'screenshots', 'scorecard.png') });

  await page.goto(`${origin}/app/jobs/${job.id}/pipeline`);
  const summary = page.getByTestId('scorecard-summary');
  await summary.getByRole('heading', { name: 'Scorecards' }).waitFor();
  await summary.getByRole('table').waitFor();
  t.match(await summary.textContent(), /2 submitted scorecard\(s\) on 1 application\(s\)/);
  // TypeScript: 4 and 4 agree; Postgres: 2 and 3 are within 1 point.
  t.match(await summary.getByRole('row', { name: /^TypeScript/ }).textContent(), /^TypeScript24\.0100% \(1\)/);
  t.match(await summary.getByRole('row', { name: /^Postgres/ }).textContent(), /^Postgres22\.5100% \(1\)/);
  const summaryFound = await axeViolations(page);
  t.same(summaryFound.map((f) => f.id), [], `no serious or critical WCAG violation on the job page${summaryFound.length ? `\n${describeFindings(summaryFound)}` : ''}`);
  await page.close();
  t.same(watch.csp, [], 'no CSP violation');
  t.same(watch.errors, [], 'no script error');
});
