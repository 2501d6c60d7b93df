// issue 20 item 4: the careers site in a real browser (Debian Chromium via playwright-core)
// against the real app on 127.0.0.1 with the demo seed. A visitor (no session, no
// JavaScript needed) opens /jobs/demo, sees the branding (logo, accent colour), searches,
// filters by workplace and location, opens a job and sees its JobPosting and apply form.
// An admin changes the accent colour in Settings → Careers site and the visitor sees it.
// The embed page loads in an iframe on a configured origin and is refused on another.
// No CSP violation and no script error on the careers pages.
import t from 'tap';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { createSessionService } from '../../server/modules/auth/service.js';
import { DEMO_SLUG, DEMO_USERS, seedDemo } from '../../ops/scripts/demo-seed.js';
import { buildTestApp } from '../helper.js';
import { freePort, launch, layoutProblems, newWatchedPage, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin } });
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const parseQueue = createQueue(QUEUES.cvParse, redis, ctx.services.redisPrefix);
const seeded = await seedDemo({ db: ctx.db, audit: ctx.audit, masterKey: ctx.config.masterKey.reveal(), publicUrl: ctx.config.publicUrl, parseQueue, logger: createLogger('silent') }, 'demo-password-e2e-long');
await ctx.app.listen({ host: '127.0.0.1', port });

// The org's own website, on two other origins: one the admin allows to embed the listing, one not.
function site(): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><body><h1>Our website</h1><iframe title="Jobs" src="${origin}/jobs/${DEMO_SLUG}/embed.html" width="600" height="400"></iframe></body></html>`);
    });
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, origin: `http://localhost:${typeof a === 'object' && a ? a.port : 0}` });
    });
  });
}
const allowedSite = await site();
const otherSite = await site();

const browser = await launch();
t.teardown(async () => {
  await browser.close();
  allowedSite.server.close();
  otherSite.server.close();
  await parseQueue.close();
  redis.disconnect();
});
const watch: Watch = { csp: [], errors: [] };
const { page } = await newWatchedPage(browser, watch, { javaScriptEnabled: false });

t.test('a visitor browses /jobs/demo, searches, filters and opens a job, with the branding', async (t) => {
  await page.goto(`${origin}/jobs/${DEMO_SLUG}`);
  await page.getByRole('heading', { name: 'Jobs at Demo Company' }).waitFor();
  t.match(await page.locator('.meta').first().textContent(), /4 open positions/);
  const logo = page.getByRole('img', { name: 'Demo Company logo' });
  await logo.waitFor();
  t.ok(await logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0), 'the logo loads');
  const button = page.getByRole('button', { name: 'Search' });
  t.equal(await button.evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor), 'rgb(15, 118, 110)', 'the accent colour applies');
  await screenshot(page, '60-careers-list');
  t.same(await layoutProblems(page), [], 'labelled controls, named links, nothing too wide');

  await page.getByLabel('Search').fill('analyst');
  await button.click();
  await page.waitForURL(/q=analyst/);
  t.same(await page.locator('.jobs h2').allTextContents(), ['Data Analyst'], 'search narrows the list');

  await page.getByLabel('Search').fill('');
  await page.getByLabel('Workplace').selectOption('remote');
  await button.click();
  await page.waitForURL(/remote=remote/);
  t.same(await page.locator('.jobs h2').allTextContents(), ['Backend Engineer (TypeScript)'], 'remote filter');

  await page.getByLabel('Workplace').selectOption('');
  await page.getByLabel('Location').selectOption('Berlin');
  await button.click();
  await page.waitForURL(/location=Berlin/);
  t.same((await page.locator('.jobs h2').allTextContents()).sort(), ['Customer Success Manager', 'Werkstudent:in Recruiting Operations'], 'location filter (the German demo job is in Berlin too)');

  await page.getByRole('link', { name: 'Customer Success Manager' }).click();
  await page.waitForURL(`${origin}/jobs/${DEMO_SLUG}/customer-success-manager`);
  await page.getByRole('heading', { name: 'Customer Success Manager' }).waitFor();
  t.match(await page.locator('header .meta').first().textContent(), /Berlin, Berlin, DE · On-site · EUR 52,000–62,000 per year/);
  const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '{}') as Record<string, unknown>;
  t.match(ld, { '@type': 'JobPosting', title: 'Customer Success Manager', directApply: true, hiringOrganization: { name: 'Demo Company' } });
  await page.getByRole('img', { name: 'Demo Company logo' }).waitFor();
  await page.getByRole('button', { name: 'Submit application' }).waitFor();
  await screenshot(page, '61-careers-job');
  await page.getByRole('link', { name: 'All jobs at Demo Company' }).click();
  await page.waitForURL(`${origin}/jobs/${DEMO_SLUG}`);
});

t.test('an unknown org is a plain 404 in the browser', async (t) => {
  const res = await page.goto(`${origin}/jobs/no-such-org`);
  t.equal(res?.status(), 404);
});

t.test('the admin changes the accent colour and allows the website to embed; the visitor sees it', async (t) => {
  const user = DEMO_USERS[0] as { email: string };
  const row = await ctx.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [user.email]);
  const { token } = await createSessionService({ db: ctx.db, clock: () => new Date() }).issue({ userId: row.rows[0]?.id as string, orgId: seeded.orgId, role: 'admin', mfaComplete: true });
  const adminWatch: Watch = { csp: [], errors: [] };
  const admin = await signedInPage(browser, adminWatch, origin, `hirebox=${token}`);
  await admin.page.goto(`${origin}/app/settings#careers`);
  const form = admin.page.getByRole('form', { name: 'Careers site' });
  await form.waitFor();
  // Too light for white text: the server explains.
  await form.getByLabel(/Accent colour/).fill('#ffd700');
  await form.getByRole('button', { name: 'Save careers site' }).click();
  await form.getByRole('alert').waitFor();
  t.match(await form.getByRole('alert').textContent(), /contrast/i, 'the contrast rule is explained');
  await form.getByLabel(/Accent colour/).fill('#7c2d12');
  await form.getByLabel(/Sites that may embed/).fill(allowedSite.origin);
  await form.getByRole('button', { name: 'Save careers site' }).click();
  await form.getByText('Careers site saved.').waitFor();
  await form.getByTestId('logo-preview').waitFor();
  await screenshot(admin.page, '62-settings-careers');
  t.same(adminWatch.csp, [], 'no CSP violation in the console');
  t.same(adminWatch.errors, [], 'no script error in the console');
  await admin.context.close();

  await page.goto(`${origin}/jobs/${DEMO_SLUG}`);
  t.equal(await page.getByRole('button', { name: 'Search' }).evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor), 'rgb(124, 45, 18)', 'the new accent shows');
});

t.test('the embed page shows in a frame on the allowed site only', async (t) => {
  const visitorWatch: Watch = { csp: [], errors: [] };
  const allowed = await newWatchedPage(browser, visitorWatch);
  await allowed.page.goto(allowedSite.origin);
  const frame = allowed.page.frameLocator('iframe[title="Jobs"]');
  await frame.getByRole('link', { name: 'Backend Engineer (TypeScript)' }).waitFor();
  t.same(visitorWatch.csp, [], 'no violation on the allowed site');
  await screenshot(allowed.page, '63-careers-embed');
  await allowed.context.close();

  const blockedWatch: Watch = { csp: [], errors: [] };
  const other = await newWatchedPage(browser, blockedWatch);
  await other.page.goto(otherSite.origin);
  await other.page.getByRole('heading', { name: 'Our website' }).waitFor();
  const framed = other.page.frames().find((f) => f !== other.page.mainFrame());
  const linkCount = framed ? await framed.locator('a').count().catch(() => 0) : 0;
  t.equal(linkCount, 0, 'the listing does not render on a site that is not allowed');
  await other.context.close();
});

t.test('no CSP violation or script error on the careers pages', async (t) => {
  t.same(watch.csp, [], 'no CSP violations');
  t.same(watch.errors, [], 'no script errors');
});
