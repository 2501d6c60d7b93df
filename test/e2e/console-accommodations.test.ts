// Accommodation requests in a real browser (Debian Chromium via playwright-core) against the
// real app (issue 22 item 3, console side): a candidate asked from the invitation page for
// more time (with a note) and for a human interviewer (overdue). A recruiter finds both on the
// Accommodations page (overdue first and highlighted), opens the application, grants more
// time with a resolution note and sees it resolved, with the call's longer time limit; the
// hiring manager sees the list without a resolve form. axe finds no serious WCAG violation,
// no CSP violation, no script error.
import t from 'tap';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
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
await approvePlan(ctx, recruiter, job.id);
const applicationId = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
const invited = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: { maxDurationSeconds: 1200 } });
if (invited.statusCode !== 201) throw new Error(`interview: ${invited.statusCode} ${invited.body}`);
const interviewId = invited.json<{ id: string }>().id;
const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
const ask = async (type: string, note?: string): Promise<string> => {
  const res = await ctx.app.inject({ method: 'POST', url: `/i/${token}/accommodations`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: note ? { type, note } : { type } });
  if (res.statusCode !== 201) throw new Error(`accommodation: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
};
const moreTime = await ask('more_time', 'I read slowly; a few extra minutes per question would help.');
const human = await ask('human_interviewer');
await owner.query("UPDATE interview_accommodations SET due_at = now() - interval '3 hours' WHERE id = $1", [human]);
const stored = async (id: string) => (await owner.query<{ status: string; resolved_by: string | null; resolution: string | null }>('SELECT status, resolved_by, resolution FROM interview_accommodations WHERE id = $1', [id])).rows[0];

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

t.test('a recruiter finds the open requests, opens the application and grants more time', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/jobs`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accommodations' }).click();
  await page.getByRole('heading', { name: 'Accommodations', level: 1 }).waitFor();
  const open = page.getByTestId('open-accommodation');
  await open.first().waitFor();
  t.equal(await open.count(), 2);
  t.match(await open.nth(0).textContent(), /Human interviewer · Platform Engineer.*overdue since/, 'the overdue request comes first, marked overdue');
  t.match(await open.nth(1).textContent(), /More time · Platform Engineer.*due .*the candidate left a note/);
  t.notMatch(await page.textContent('main'), /read slowly/, 'the note is not on the org-wide list');
  const listFound = await axeViolations(page);
  t.same(listFound.map((f) => f.id), [], `no serious or critical WCAG violation on the list${listFound.length ? `\n${describeFindings(listFound)}` : ''}`);
  t.same(await layoutProblems(page), [], 'no unlabelled control, no duplicate id, nothing wider than the screen');
  await screenshot(page, '80-accommodations-list');

  await open.nth(1).getByRole('link').click();
  const panel = page.getByTestId('accommodations');
  await panel.getByRole('heading', { name: 'Accommodations' }).waitFor();
  const rows = panel.getByTestId('accommodation');
  await rows.first().waitFor();
  t.equal(await rows.count(), 2);
  const more = rows.filter({ hasText: 'More time' });
  t.match(await more.textContent(), /read slowly; a few extra minutes/, "the candidate's note is shown");
  t.equal(await more.getAttribute('data-status'), 'requested');
  t.equal(await rows.filter({ hasText: 'Human interviewer' }).getByTestId('acc-overdue').count(), 1, 'the overdue request is highlighted');
  await page.getByTestId('interview').getByText(/up to 20 min/).waitFor();

  const form = more.getByRole('form', { name: 'Resolve the more time request' });
  await form.getByRole('radio', { name: 'Grant' }).check();
  t.match(await form.textContent(), /extends the call's time limit by half/, 'the effect of granting is said before saving');
  await form.getByLabel('Resolution note (kept with the request)').fill('Granted: take the time you need.');
  const axeForm = await axeViolations(page);
  t.same(axeForm.map((f) => f.id), [], `no serious or critical WCAG violation on the application${axeForm.length ? `\n${describeFindings(axeForm)}` : ''}`);
  await form.getByRole('button', { name: 'Save answer' }).click();
  await panel.getByText('More time: granted. The call may now last up to 30 minutes.').waitFor();
  await more.and(page.locator('[data-status="granted"]')).waitFor();
  t.match(await more.getByTestId('acc-resolution').textContent(), /^Granted .* by you: Granted: take the time you need\.$/);
  t.equal(await more.getByRole('form').count(), 0, 'no resolve form once resolved');
  await page.getByTestId('interview').getByText(/up to 30 min/).waitFor();
  t.same(await stored(moreTime), { status: 'granted', resolved_by: recruiter.userId, resolution: 'Granted: take the time you need.' });
  t.equal((await owner.query<{ max_duration_seconds: number }>('SELECT max_duration_seconds FROM interviews WHERE id = $1', [interviewId])).rows[0]?.max_duration_seconds, 1800);
  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `no serious or critical WCAG violation after resolving${found.length ? `\n${describeFindings(found)}` : ''}`);
  await screenshot(page, '81-accommodations-panel');

  await page.goto(`${origin}/app/accommodations`);
  await open.first().waitFor();
  t.equal(await open.count(), 1, 'the granted request left the open list');
  t.match(await open.first().textContent(), /Human interviewer/);
  await page.close();
});

t.test('a hiring manager sees the requests but no resolve form', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, manager.cookie);
  await page.goto(`${origin}/app/applications/${applicationId}`);
  const panel = page.getByTestId('accommodations');
  await panel.getByTestId('accommodation').first().waitFor();
  t.equal(await panel.getByTestId('accommodation').count(), 2);
  t.equal(await panel.getByRole('form').count(), 0, 'readers see the list only');
  t.match(await panel.textContent(), /Granted .* by member [0-9a-f]{8}: Granted: take the time you need\./, 'who resolved it, without the members list');
  t.same(await stored(human), { status: 'requested', resolved_by: null, resolution: null }, 'nothing changed');
  await page.close();
  t.same(watch.csp, [], 'no CSP violation');
  t.same(watch.errors, [], 'no script error');
});
