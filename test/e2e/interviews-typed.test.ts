// The typed interview in a real browser (Debian Chromium via playwright-core) against the
// real app: the candidate asks for an accommodation, chooses typed mode on /i/:token with
// the plain form, answers each question in the textarea, finishes, and the recruiter's API
// shows the transcript. Every page passes axe (WCAG 2.2 AA, serious/critical) under the
// page's own CSP. Only the invite page is used, so the console build is not needed.
import { existsSync } from 'node:fs';
import t, { type Test } from 'tap';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, createOrgWithMember, type Member } from '../helper.js';
import { axeViolations, describeFindings } from './axe.js';
import { CHROMIUM, freePort, launch, layoutProblems, newWatchedPage, screenshot, type Watch } from './browser.js';

if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Debian's Chromium at ${CHROMIUM}`);

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin } });
await ctx.app.listen({ host: '127.0.0.1', port });
const sameOrigin = (m: Member): Member => ({ ...m, headers: { ...m.headers, origin } });
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const QUESTIONS = ['Tell me about an accessible UI you built.', 'How do you test with a screen reader?'];
const job = await createJob(ctx, admin, { title: 'Accessibility Engineer', interviewQuestions: QUESTIONS });
await approvePlan(ctx, admin, job.id, QUESTIONS);
const applicationId = (await uploadCv(ctx, admin, job.id)).json<{ applicationId: string }>().applicationId;
const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: admin.headers, payload: {} });
const interviewId = created.json<{ id: string }>().id;
const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
const browser = await launch();
t.teardown(() => browser.close());
const watch: Watch = { csp: [], errors: [] };
const { page } = await newWatchedPage(browser, watch);

async function axeClean(t: Test, name: string): Promise<void> {
  const found = await axeViolations(page);
  t.same(found, [], `${name}: no serious or critical axe finding${found.length ? `\n${describeFindings(found)}` : ''}`);
  t.same(await layoutProblems(page), [], `${name}: labelled controls, named buttons and links`);
}

t.test('accommodation request, then a typed interview answered question by question', async (t) => {
  t.equal(created.statusCode, 201, created.body);
  await page.goto(`${origin}/i/${token}`);
  await axeClean(t, 'invite page');
  await page.getByLabel('A human interviewer').check();
  await page.getByLabel(/Anything the hiring team should know/).fill('I would prefer a person to talk to.');
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByText(/The hiring team will answer by/).waitFor();
  await axeClean(t, 'request received');

  await page.goto(`${origin}/i/${token}`);
  await page.getByLabel(/Type my answers in this browser/).check();
  await page.getByRole('button', { name: /I have read this and agree/ }).click();
  await page.getByRole('link', { name: 'Open the interview page' }).click();
  await page.getByText('Question 1 of 2').waitFor();
  await axeClean(t, 'typed question');
  await screenshot(page, 'interview-typed-question');
  await page.getByLabel(QUESTIONS[0] as string).fill('I rebuilt our checkout form with proper labels, focus order and error summaries, and we tested it with NVDA users.');
  await page.getByRole('button', { name: 'Send this answer' }).click();
  await page.getByText('Question 2 of 2').waitFor();
  await page.getByLabel(QUESTIONS[1] as string).fill('I run NVDA with Firefox and VoiceOver with Safari through every flow before each release.');
  await page.getByRole('button', { name: 'Send this answer' }).click();
  await page.getByText('You have answered all 2 questions.').waitFor();
  await page.getByRole('button', { name: /Finish the interview/ }).click();
  await page.getByText(/your typed answers were sent/).waitFor();
  await axeClean(t, 'typed finished');

  const view = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${interviewId}`, headers: admin.headers })).json<{ status: string; mode: string; transcript: string }>();
  t.equal(view.status, 'ended');
  t.equal(view.mode, 'typed');
  t.match(view.transcript, /^AI: Tell me about an accessible UI you built\.\nUser: I rebuilt our checkout form/);
  const acc = (await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/accommodations`, headers: admin.headers })).json<{ type: string; note: string }[]>();
  t.same(acc.map((a) => [a.type, a.note]), [['human_interviewer', 'I would prefer a person to talk to.']]);
  t.same(watch.csp, [], 'no CSP violation');
  t.same(watch.errors.filter((e) => e.startsWith('pageerror')), [], 'no uncaught script error');
});
