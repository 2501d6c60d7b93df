// Issue 22 item 4 in a real browser (Debian Chromium via playwright-core) against the real
// app with the simulated model (AI_PROVIDER=simulated, as the demo): a recruiter opens a
// job without a plan, drafts it with AI (one question per criterion, each with its
// criterion and rubric anchor), edits a question into a protected-characteristic one (the
// reason is shown, nothing is stored), fixes it, saves and approves; only then does an
// invite go through. axe finds no serious WCAG violation; no CSP violation, no script error.
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
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer' });
const applicationId = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
const invite = () => ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
const stored = async () => (await owner.query<{ status: string; items: { text: string }[] }>('SELECT status, items FROM interview_plans WHERE job_id = $1', [job.id])).rows[0];

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

t.test('draft with AI, a protected question refused with its reason, fix, save, approve, then invite', async (t) => {
  t.equal((await invite()).statusCode, 409, 'no invite before a plan');
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs/${job.id}`);
  const plan = page.getByRole('form', { name: 'AI interview plan' });
  const status = plan.getByTestId('plan-status');
  await status.getByText(/No interview plan yet/).waitFor();

  await plan.getByRole('button', { name: 'Draft with AI' }).click();
  await plan.getByText(/Draft ready/).waitFor();
  t.match(await status.textContent(), /Draft — not approved · Drafted with AI \(hirebox-simulated-1, seed \d+\)/);
  t.match(await plan.getByLabel('Question 1', { exact: true }).inputValue(), /TypeScript/);
  t.equal(await plan.getByLabel('Question 1 criterion').inputValue(), 'c1');
  t.equal(await plan.getByLabel('Question 2 criterion').inputValue(), 'c2');
  t.match(await plan.getByLabel('Question 1 rubric anchor').inputValue(), /TypeScript/);
  const drafted = await stored();
  t.equal(drafted?.status, 'draft');

  await plan.getByLabel('Question 2', { exact: true }).fill('Sind Sie schwanger, oder planen Sie Elternzeit?');
  await plan.getByRole('button', { name: 'Save interview plan' }).click();
  const alert = plan.getByRole('alert');
  await alert.waitFor();
  t.match(await alert.textContent(), /Question 2: .*pregnancy or parental leave.*protected characteristic/, 'the reason is shown');
  t.same(await stored(), drafted, 'nothing was stored');
  t.ok(await plan.getByRole('button', { name: 'Approve plan' }).isDisabled(), 'unsaved changes cannot be approved');

  await plan.getByLabel('Question 2', { exact: true }).fill('Walk me through a Postgres schema you designed and how it changed.');
  await plan.getByRole('button', { name: 'Save interview plan' }).click();
  await plan.getByText(/saved as a draft/).waitFor();
  t.equal((await invite()).statusCode, 409, 'a saved draft still cannot be used');
  await plan.getByRole('button', { name: 'Approve plan' }).click();
  await plan.getByText(/Interview plan approved/).waitFor();
  t.match(await status.textContent(), /^Approved · /);
  t.equal((await stored())?.status, 'approved');
  t.match((await stored())?.items[1]?.text, /Postgres schema/);

  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `no serious or critical WCAG violation${found.length ? `\n${describeFindings(found)}` : ''}`);
  t.same(await layoutProblems(page), [], 'no unlabelled control, no duplicate id, nothing wider than the screen');
  await screenshot(page, '80-interview-plan-approved');
  if (process.env.HIREBOX_UPDATE_SCREENSHOTS === '1') await plan.screenshot({ path: join(packageRoot(), 'docs', 'screenshots', 'interview-plan.png') });
  await page.close();

  t.equal((await invite()).statusCode, 201, 'an approved plan can be sent');
  t.same(watch.csp, [], 'no CSP violation');
  t.same(watch.errors, [], 'no script error');
});
