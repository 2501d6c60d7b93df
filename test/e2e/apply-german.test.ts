// issue 22 item 1 in a real browser: a candidate in Vienna (Chromium's time zone set to
// Europe/Vienna, German UI) opens a job advertised in German, reads it in German (no English
// left), fills and submits the form with /assets/tz.js active under the strict CSP, and the
// application stores the browser's time zone, the page's locale and the consent language.
// Screenshot of the German apply page: docs/screenshots/apply-de.png. axe-core on the page.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { connectOwner, createOrgWithMember } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { SAMPLE_CV_LINES } from '../fixtures/make.js';
import { englishLeftIn } from '../support/i18n.js';
import { packageRoot } from '../../server/core/paths.js';
import { axeViolations, describeFindings } from './axe.js';
import { CHROMIUM, launch, layoutProblems, listeningTestApp, newWatchedPage, type Watch } from './browser.js';

// This page needs no console build: only the browser must be there (a missing one fails).
if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Debian's Chromium at ${CHROMIUM}; install it with \`bash ops/scripts/ci-browser.sh\` (as root)`);

const { ctx, origin } = await listeningTestApp(t);
const owner = await connectOwner(t, ctx);
const member = await createOrgWithMember(ctx, 'recruiter');
const recruiter = { ...member, headers: { ...member.headers, origin } };
const TITLE = 'Lagerleiter:in (m/w/d)';
const DESCRIPTION = 'Sie führen ein Team von zwölf Personen im Lager Wien-Süd.';
const job = await createJob(ctx, recruiter, {
  title: TITLE,
  description: DESCRIPTION,
  location: 'Wien',
  country: 'AT',
  language: 'de',
  salary: { min: 3200, max: 3900, currency: 'EUR', unit: 'MONTH' },
});
const org = (await owner.query<{ slug: string; name: string }>('SELECT slug, name FROM orgs WHERE id = $1', [recruiter.orgId])).rows[0] as { slug: string; name: string };

const browser = await launch();
t.teardown(() => browser.close());
const watch: Watch = { csp: [], errors: [] };

t.test('a German job page in Chromium: German throughout, tz.js fills the zone, the application stores it', async (t) => {
  const { page, context } = await newWatchedPage(browser, watch, { timezoneId: 'Europe/Vienna', locale: 'de-AT' });
  await page.goto(`${origin}/jobs/${org.slug}/${job.slug}`);
  await page.getByRole('heading', { name: TITLE }).waitFor();
  t.equal(await page.getAttribute('html', 'lang'), 'de');
  t.same(englishLeftIn(await page.content(), [org.name, TITLE, DESCRIPTION, 'Wien', 'hirebox']), [], 'no English left on the page');
  // The external script ran: the hidden field holds the browser's zone.
  await page.locator('#candidate-time-zone').and(page.locator('[value]')).waitFor({ state: 'attached' });
  for (let i = 0; i < 50 && (await page.inputValue('#candidate-time-zone')) === ''; i++) await page.waitForTimeout(100);
  t.equal(await page.inputValue('#candidate-time-zone'), 'Europe/Vienna');
  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `no serious or critical WCAG 2.2 A/AA violation${found.length ? `\n${describeFindings(found)}` : ''}`);
  t.same(await layoutProblems(page), [], 'every control is labelled');

  await page.getByLabel('Vollständiger Name').fill('Anna Gruber');
  await page.getByLabel('E-Mail').fill(`anna.${Date.now()}@example.test`);
  await page.locator('input[name="cv"]').setInputFiles({ name: 'lebenslauf.txt', mimeType: 'text/plain', buffer: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  await page.getByLabel(/Ich habe den obigen Hinweis gelesen/).check();
  const shots = path.join(packageRoot(), 'docs', 'screenshots');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'apply-de.png'), fullPage: true });
  await page.getByRole('button', { name: 'Bewerbung absenden' }).click();
  await page.getByRole('heading', { name: 'Vielen Dank' }).waitFor();
  t.same(englishLeftIn(await page.content(), [org.name, TITLE, 'hirebox']), [], 'the thank-you page is German');

  const rows = await owner.query<{ locale: string; time_zone: string; consent_language: string }>('SELECT locale, time_zone, consent_language FROM applications WHERE job_id = $1', [job.id]);
  t.same(rows.rows, [{ locale: 'de', time_zone: 'Europe/Vienna', consent_language: 'de' }], 'the browser’s zone, the page locale and the consent language are stored');
  t.same(watch.csp, [], 'no CSP violation (the time-zone script is an external file)');
  t.same(watch.errors, [], 'no page errors');
  await context.close();
});
