// Privacy requests on the application page in a real browser (Debian Chromium via
// playwright-core) against the real app: an admin downloads the candidate's data and erases
// it for a request reference; the button stays disabled until the confirmation is ticked,
// and a reference that looks like personal data is refused by the form. Afterwards the
// candidate's data is gone on the server (key destroyed, audited). Recruiters see no panel.
import t from 'tap';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { launch, layoutProblems, listeningTestApp, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const { ctx, origin, sameOrigin } = await listeningTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const recruiter = sameOrigin(await createOrgWithMember(ctx, 'recruiter', admin.orgId));
const job = await createJob(ctx, recruiter, { title: 'Data Engineer' });
const uploaded = await uploadCv(ctx, recruiter, job.id, { name: 'Grace Hopper', email: 'grace.hopper@example.test' });
if (uploaded.statusCode !== 201) throw new Error(uploaded.body);
const { applicationId, candidateId } = uploaded.json<{ applicationId: string; candidateId: string }>();

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

const memberPage = async (m: Member) => (await signedInPage(browser, watch, origin, m.cookie)).page;

t.test('a recruiter sees no privacy panel', async (t) => {
  const page = await memberPage(recruiter);
  await page.goto(`${origin}/app/applications/${applicationId}`);
  await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
  t.equal(await page.getByRole('heading', { name: 'Privacy requests' }).count(), 0);
});

t.test('an admin downloads the candidate data, then erases it for a request reference', async (t) => {
  const page = await memberPage(admin);
  await page.goto(`${origin}/app/applications/${applicationId}`);
  await page.getByRole('heading', { name: 'Privacy requests' }).waitFor();
  const download = page.getByRole('link', { name: 'Download everything held about this candidate' });
  t.equal(await download.getAttribute('href'), `/api/v1/candidates/${candidateId}/export`);
  const exported = await page.request.get(`${origin}/api/v1/candidates/${candidateId}/export`);
  t.equal(exported.status(), 200, 'the export answers for the admin');
  t.match(await exported.text(), /grace\.hopper@example\.test/, 'with the candidate data');

  const erase = page.getByRole('button', { name: 'Erase candidate data' });
  const reference = page.getByLabel(/Erasure request reference/);
  await reference.fill('DSR-2026-0042');
  t.ok(await erase.isDisabled(), 'disabled until the confirmation is ticked');
  await page.getByLabel(/I understand/).check();
  await reference.fill('grace.hopper@example.test');
  t.equal(await reference.evaluate((el) => (el as unknown as { validity: { valid: boolean } }).validity.valid), false, 'an e-mail address is not a reference');
  await reference.fill('DSR-2026-0042');
  t.same(await layoutProblems(page), [], 'no unlabelled control, no duplicate id, nothing wider than the screen');
  await page.getByRole('heading', { name: 'Privacy requests' }).scrollIntoViewIfNeeded();
  await screenshot(page, '69-privacy-panel');
  await erase.click();
  await page.getByRole('heading', { name: 'Candidate data erased' }).waitFor();
  t.match(await page.getByRole('status').textContent(), /Erased for request DSR-2026-0042: 1 open application\(s\) withdrawn/);
  await screenshot(page, '70-privacy-erased');

  const cand = (await owner.query<{ erased: boolean }>('SELECT erased_at IS NOT NULL AS erased FROM candidates WHERE id = $1', [candidateId])).rows[0];
  t.equal(cand?.erased, true, 'erased on the server');
  const key = await owner.query<{ wrapped: boolean; destroyed: boolean }>('SELECT wrapped_key IS NOT NULL AS wrapped, destroyed_at IS NOT NULL AS destroyed FROM candidate_keys WHERE candidate_id = $1', [candidateId]);
  t.same(key.rows, [{ wrapped: false, destroyed: true }], 'the candidate key is destroyed');
  const event = await owner.query<{ metadata: { reference?: string } }>("SELECT metadata FROM audit_events WHERE action = 'candidate.erased' AND target_id = $1", [candidateId]);
  t.equal(event.rows[0]?.metadata.reference, 'DSR-2026-0042', 'audited with the reference');
  await page.goto(`${origin}/app/applications/${applicationId}`);
  await page.getByText(/has been erased/).waitFor();
});

t.test('no CSP violation and no script error on these screens', async (t) => {
  t.same(watch.csp, []);
  t.same(watch.errors, []);
});
