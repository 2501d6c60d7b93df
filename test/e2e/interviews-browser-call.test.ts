// The candidate's browser interview in a real browser (Debian Chromium via playwright-core)
// against the real app: the candidate consents to a browser call on /i/:token with the
// plain form, opens the interview page, the bundled Vapi web SDK module loads same-origin
// under the page's own CSP (no violation, no script error), and pressing start asks
// hirebox for the configuration and then calls Vapi's web-call endpoint with the org's
// public key and the interview's metadata. Vapi is the loopback fake (test/fakes/vapi-server.ts,
// VAPI_BASE_URL): it checks the public key and, having no media server, refuses the web call,
// so the page then tells the candidate the connection failed.
import t from 'tap';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { translator } from '../../server/core/i18n/translator.js';
import { buildTestApp, createOrgWithMember, type Member } from '../helper.js';
import { freePort, launch, newWatchedPage, requireBrowserAndBuild, screenshot, type Watch } from './browser.js';

requireBrowserAndBuild();

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin, VAPI_BASE_URL: fake.url } });
await ctx.app.listen({ host: '127.0.0.1', port });
const sameOrigin = (m: Member): Member => ({ ...m, headers: { ...m.headers, origin } });
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const settings = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_e2e', phoneNumberId: null, publicKey: fake.publicKey } });
const job = await createJob(ctx, admin, { title: 'Accessibility Engineer', interviewQuestions: ['Tell me about an accessible UI you built.'] });
await approvePlan(ctx, admin, job.id, ['Tell me about an accessible UI you built.']);
const applicationId = (await uploadCv(ctx, admin, job.id)).json<{ applicationId: string }>().applicationId;
const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: admin.headers, payload: {} });
const interviewId = created.json<{ id: string }>().id;
const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
const browser = await launch();
t.teardown(() => browser.close());

t.test('consent to a browser call, load the Vapi module under the page CSP, start: Vapi is asked with the public key and the interview metadata', async (t) => {
  t.equal(settings.statusCode, 204, settings.body);
  t.equal(created.statusCode, 201, created.body);
  const watch: Watch = { csp: [], errors: [] };
  const { page } = await newWatchedPage(browser, watch);
  await page.goto(`${origin}/i/${token}`);
  await page.getByLabel(/In this browser/).check();
  await page.getByRole('button', { name: /I have read this and agree/ }).click();
  await page.getByText(/start the interview when you are ready/).waitFor();
  await page.getByRole('link', { name: 'Open the interview page' }).click();
  await page.locator('#browser-call-status', { hasText: 'Ready when you are.' }).waitFor({ timeout: 15_000 });
  t.ok(await page.getByRole('button', { name: 'Start the interview' }).isEnabled(), 'the module ran and enabled the button');
  await screenshot(page, 'interview-browser-call-ready');

  const config = page.waitForResponse((r) => r.url().endsWith(`/i/${token}/browser-call`));
  await page.getByRole('button', { name: 'Start the interview' }).click();
  t.equal((await config).status(), 200, 'hirebox handed out the configuration after consent');
  await page.locator('#browser-call-status', { hasText: /failed|could not start/ }).waitFor({ timeout: 15_000 });
  await screenshot(page, 'interview-browser-call-failed');

  const web = fake.requests.find((r) => r.method === 'POST' && r.path === '/call/web');
  t.ok(web, "the SDK called Vapi's web-call endpoint");
  t.equal(web?.authorization, `Bearer ${fake.publicKey}`, 'with the restricted public key');
  t.match(web?.body, { assistantId: 'asst_e2e', assistantOverrides: { metadata: { interviewId, applicationId } } });
  // The script speaks the page's language: the server renders its texts (issue 22 item 1).
  await page.goto(`${origin}/i/${token}?lang=de`);
  await page.locator('#browser-call-status', { hasText: translator('de').t('interview.browserReady') }).waitFor({ timeout: 15_000 });
  t.ok(await page.getByRole('button', { name: translator('de').t('interview.browserStart') }).isEnabled(), 'German status and button');
  t.same(watch.csp, [], 'no CSP violation');
  t.same(watch.errors.filter((e) => e.startsWith('pageerror')), [], 'no uncaught script error');
});
