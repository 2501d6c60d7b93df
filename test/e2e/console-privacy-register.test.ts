// The privacy-request register and rectification in a real browser (Debian Chromium via
// playwright-core) against the real app (issue 18 item 6): an admin registers a request on
// the Privacy page, sees its GDPR due date and an overdue one marked, records the identity
// check, then corrects the candidate's name on the application page for that request; the
// server holds the new name and the request is closed. Auditors read the register but get
// no forms.
import t from 'tap';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { createOrgWithMember, type Member } from '../helper.js';
import { launch, layoutProblems, listeningTestApp, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const { ctx, origin, sameOrigin } = await listeningTestApp(t);
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const recruiter = sameOrigin(await createOrgWithMember(ctx, 'recruiter', admin.orgId));
const auditor = sameOrigin(await createOrgWithMember(ctx, 'auditor', admin.orgId));
const job = await createJob(ctx, recruiter, { title: 'Data Engineer' });
const uploaded = await uploadCv(ctx, recruiter, job.id, { name: 'Grace Hoper', email: 'grace.hoper@example.test' });
if (uploaded.statusCode !== 201) throw new Error(uploaded.body);
const { applicationId, candidateId } = uploaded.json<{ applicationId: string; candidateId: string }>();
// An old request, long overdue.
await ctx.app.inject({ method: 'POST', url: '/api/v1/privacy-requests', headers: admin.headers, payload: { reference: 'DSR-OLD-1', type: 'objection', receivedOn: '2020-01-15' } });

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());
const memberPage = async (m: Member) => (await signedInPage(browser, watch, origin, m.cookie)).page;

t.test('an admin registers a rectification request and records the identity check', async (t) => {
  const page = await memberPage(admin);
  await page.goto(`${origin}/app/privacy`);
  await page.getByRole('heading', { name: 'Privacy requests' }).waitFor();
  await page.getByLabel(/Reference/).fill('DSR-2026-0100');
  await page.getByLabel('Type').selectOption('rectification');
  await page.getByLabel('Identity check method (optional)').fill('Reply from the address on file');
  await page.getByRole('button', { name: 'Register' }).click();
  const row = page.getByRole('row', { name: /DSR-2026-0100/ });
  await row.waitFor();
  t.match(await row.textContent(), /rectification.*\d{4}-\d{2}-\d{2}.*days left/);
  t.match(await page.getByRole('row', { name: /DSR-OLD-1/ }).textContent(), /overdue/, 'the old request is marked overdue');
  await row.getByRole('button', { name: 'Identity verified' }).click();
  await page.getByRole('row', { name: /DSR-2026-0100/ }).getByRole('button', { name: 'Done' }).waitFor();
  t.same(await layoutProblems(page), [], 'no unlabelled control, no duplicate id, nothing wider than the screen');
  await screenshot(page, '71-privacy-register');
});

t.test('the admin corrects the name for that request on the application page', async (t) => {
  const page = await memberPage(admin);
  await page.goto(`${origin}/app/applications/${applicationId}`);
  await page.getByRole('heading', { name: 'Privacy requests' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('Grace Hopper');
  const listed = (await ctx.app.inject({ method: 'GET', url: '/api/v1/privacy-requests', headers: admin.headers })).json<{ items: { id: string; reference: string }[] }>().items;
  await page.getByLabel(/Answers the rectification request/).selectOption(listed.find((r) => r.reference === 'DSR-2026-0100')?.id ?? '');
  await page.getByRole('button', { name: 'Save corrections' }).click();
  await page.getByText(/Corrected: name/).waitFor();
  await screenshot(page, '72-privacy-rectified');
  const candidate = await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${candidateId}`, headers: admin.headers });
  t.equal(candidate.json<{ name: string }>().name, 'Grace Hopper', 'the server holds the corrected name');
  const reqs = (await ctx.app.inject({ method: 'GET', url: '/api/v1/privacy-requests', headers: admin.headers })).json<{ items: { reference: string; status: string; closedBy: string | null }[] }>().items;
  t.match(reqs.find((r) => r.reference === 'DSR-2026-0100'), { status: 'done', closedBy: 'rectification' });
});

t.test('an auditor reads the register without forms; a recruiter has no Privacy page', async (t) => {
  const page = await memberPage(auditor);
  await page.goto(`${origin}/app/privacy`);
  await page.getByRole('row', { name: /DSR-2026-0100/ }).waitFor();
  t.equal(await page.getByRole('button', { name: 'Register' }).count(), 0);
  t.equal(await page.getByRole('link', { name: 'PDF' }).count(), 0);
  const rec = await memberPage(recruiter);
  await rec.goto(`${origin}/app/jobs`);
  await rec.getByRole('heading', { name: 'Jobs' }).first().waitFor();
  t.equal(await rec.getByRole('link', { name: 'Privacy', exact: true }).count(), 0);
});

t.test('no CSP violation and no script error on these screens', async (t) => {
  t.same(watch.csp, []);
  t.same(watch.errors, []);
});
