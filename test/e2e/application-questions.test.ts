// Issue 21 item 5 in a real browser (Debian Chromium via playwright-core) against the real
// app: a candidate opens the public apply page, sees the job's questions, answers them (one
// answer matches a knock-out rule) and submits; a recruiter opens the pipeline and the
// application in the console and sees the knock-out flag and the answers, with the
// application still in its first stage (no automatic rejection). axe-core on each page.
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { connectOwner, createOrgWithMember } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { SAMPLE_CV_LINES } from '../fixtures/make.js';
import { axeViolations, describeFindings } from './axe.js';
import { ARTIFACTS, launch, layoutProblems, listeningTestApp, newWatchedPage, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const { ctx, origin } = await listeningTestApp(t);
const owner = await connectOwner(t, ctx);
const member = await createOrgWithMember(ctx, 'recruiter');
// The app's public URL is this listening origin: API calls from the test say so (CSRF origin check).
const recruiter = { ...member, headers: { ...member.headers, origin } };
const job = await createJob(ctx, recruiter, { title: 'Warehouse Lead' });
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [recruiter.orgId])).rows[0]?.slug as string;
const questions = await ctx.app.inject({
  method: 'PUT',
  url: `/api/v1/jobs/${job.id}/questions`,
  headers: recruiter.headers,
  payload: {
    questions: [
      { id: 'permit', label: 'Do you have the right to work in Germany?', type: 'yes_no', required: true },
      { id: 'german', label: 'Your level of German', type: 'single_choice', required: true, options: ['Native or C2', 'C1', 'B1 or B2', 'Below B1'] },
      { id: 'licences', label: 'Licences you hold', type: 'multiple_choice', required: false, options: ['Forklift', 'Crane', 'HGV'] },
      { id: 'years', label: 'Years of warehouse experience', type: 'number', required: true, min: 0, max: 50 },
      { id: 'start', label: 'Earliest start date', type: 'date', required: false, help: 'Leave empty if you can start at once.' },
      { id: 'story', label: 'A problem you solved on a shift', type: 'long_text', required: false },
    ],
    knockouts: [{ questionId: 'german', operator: 'any_of', value: ['Below B1'] }],
  },
});
if (questions.statusCode !== 200) throw new Error(`questions: ${questions.statusCode} ${questions.body}`);

const browser = await launch();
t.teardown(() => browser.close());
const watch: Watch = { csp: [], errors: [] };

async function checkA11y(t: Test, page: Page, what: string): Promise<void> {
  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `${what}: no serious or critical WCAG 2.2 A/AA violation${found.length ? `\n${describeFindings(found)}` : ''}`);
}

t.test('a candidate answers the questions on the apply page and submits', async (t) => {
  const { page } = await newWatchedPage(browser, watch);
  await page.goto(`${origin}/jobs/${orgSlug}/${job.slug}`);
  await page.getByRole('heading', { name: 'Warehouse Lead' }).waitFor();
  const group = page.getByRole('group', { name: 'Questions from the employer' });
  await group.waitFor();
  t.match(await group.textContent(), /No answer rejects an application automatically/);
  await checkA11y(t, page, 'apply page with questions');
  t.same(await layoutProblems(page), [], 'every question is labelled');

  await page.getByLabel('Full name').fill('Noor Haddad');
  await page.getByLabel('Email').fill(`noor.${Date.now()}@example.test`);
  await page.locator('input[name="cv"]').setInputFiles({ name: 'cv.txt', mimeType: 'text/plain', buffer: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  await page.getByRole('group', { name: 'Do you have the right to work in Germany?' }).getByLabel('Yes').check();
  await page.getByRole('group', { name: 'Your level of German' }).getByLabel('Below B1').check();
  await page.getByRole('group', { name: 'Licences you hold (optional)' }).getByLabel('Forklift').check();
  await page.getByRole('group', { name: 'Licences you hold (optional)' }).getByLabel('HGV').check();
  await page.getByLabel('Years of warehouse experience').fill('6');
  await page.getByLabel('Earliest start date (optional)').fill('2027-03-01');
  await page.getByLabel('A problem you solved on a shift (optional)').fill('Re-slotted the fast movers to halve picking walks.');
  await page.getByLabel(/I have read the notice above/).check();
  await screenshot(page, '80-apply-questions');
  await page.getByRole('button', { name: 'Submit application' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  await checkA11y(t, page, 'thank-you page');
  const rows = await owner.query<{ knocked_out: boolean; stage_kind: string }>('SELECT aa.knocked_out, a.stage_kind FROM application_answers aa JOIN applications a ON a.id = aa.application_id');
  t.same(rows.rows, [{ knocked_out: true, stage_kind: 'new' }], 'stored, flagged, still in the first stage');
  await page.context().close();
});

t.test('the recruiter sees the knock-out flag in the pipeline and the answers on the application', async (t) => {
  const { page, context } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs/${job.id}/pipeline`);
  const row = page.getByRole('row', { name: /Noor Haddad/ });
  await row.waitFor();
  t.match(await row.textContent(), /Knock-out: needs human review/, 'the pipeline shows the flag');
  await checkA11y(t, page, 'pipeline with a knock-out flag');
  await page.getByRole('link', { name: 'Noor Haddad' }).click();
  const answers = page.getByTestId('answers');
  await answers.waitFor();
  const text = (await answers.textContent()) ?? '';
  t.match(text, /An answer matched a knock-out rule/);
  t.match(text, /Your level of German\s*matched knock-out rule\s*Below B1/);
  t.match(text, /Licences you hold\s*Forklift, HGV/);
  t.match(text, /Do you have the right to work in Germany\?\s*Yes/);
  t.match(text, /Years of warehouse experience\s*6/);
  t.match(text, /Earliest start date\s*2027-03-01/);
  t.match(await page.locator('.page-head').textContent(), /Knock-out: needs human review/);
  await screenshot(page, '81-application-answers');
  await answers.screenshot({ path: `${ARTIFACTS}/81-answers-panel.png` });
  await checkA11y(t, page, 'application with answers');
  await context.close();
  t.same(watch.csp, [], 'no CSP violation');
  t.same(watch.errors, [], 'no script error');
});

t.test('the recruiter adds a question with a knock-out on the job page; the apply page asks it', async (t) => {
  const { page, context } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs/${job.id}`);
  const editor = page.getByTestId('questions-editor');
  await editor.waitFor();
  await editor.getByText('(version 1)').waitFor();
  t.equal(await editor.getByLabel('Question text').count(), 6, 'the current questions are listed');
  await checkA11y(t, page, 'job page with the questions editor');
  await editor.getByRole('button', { name: 'Add application question' }).click();
  const added = editor.getByRole('group', { name: 'Question 7' });
  await added.getByLabel('Question text').fill('Do you have a car?');
  await added.getByLabel('Answer type').selectOption('yes_no');
  await added.getByLabel('Required').check();
  await added.getByLabel('Knock-out (flags for human review)').selectOption('false');
  await checkA11y(t, page, 'questions editor with a new question');
  await editor.getByRole('button', { name: 'Save application questions' }).click();
  await editor.getByText('Saved as version 2.').waitFor();
  const saved = (await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/questions`, headers: recruiter.headers })).json<{ version: number; questions: { id: string; label: string }[]; knockouts: unknown[] }>();
  t.equal(saved.version, 2);
  t.match(saved.questions.at(-1), { id: 'q7', label: 'Do you have a car?', type: 'yes_no', required: true });
  t.same(saved.knockouts.at(-1), { questionId: 'q7', operator: 'equals', value: false });
  await screenshot(page, '82-questions-editor');

  await editor.getByRole('button', { name: 'Remove question 7' }).click();
  await editor.getByRole('button', { name: 'Add application question' }).click();
  const bad = editor.getByRole('group', { name: 'Question 7' });
  await bad.getByLabel('Question text').fill('Pick one');
  await bad.getByLabel('Answer type').selectOption('single_choice');
  await editor.getByRole('button', { name: 'Save application questions' }).click();
  await editor.getByRole('alert').waitFor();
  t.match(await editor.getByRole('alert').textContent(), /not valid/, 'a choice without options is refused with the server\'s message');
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/questions`, headers: recruiter.headers })).json<{ version: number }>().version, 2, 'nothing changed');

  await page.goto(`${origin}/jobs/${orgSlug}/${job.slug}`);
  await page.getByRole('group', { name: 'Do you have a car?' }).waitFor();
  t.match(await page.locator('input[name="questionsVersion"]').getAttribute('value'), '2');
  await context.close();
  t.same(watch.csp, [], 'no CSP violation');
  t.same(watch.errors, [], 'no script error');
});
