// issue 22, "done when": a candidate's whole journey in German in real Chromium (time zone
// Europe/Vienna, German UI). She opens a job advertised in German and applies (the page
// German throughout, consent in German, /assets/tz.js filling her zone under the strict
// CSP), opens her status page from the German mail, books a phone interview on the German
// invitation page and gets the German reminder e-mail with the time in Vienna, cancels it,
// and answers the next invitation as a typed interview. No English on any page or mail
// (englishLeftIn), every page axe-clean, no CSP violation. Screenshots of the German pages
// go to test-artifacts/e2e (journey-de-*.png; the README shows copies from docs/screenshots).
import { existsSync } from 'node:fs';
import type { Job } from 'bullmq';
import t, { type Test } from 'tap';
import { connectOwner, createOrgWithMember } from '../helper.js';
import { approvePlan, createJob } from '../fixtures/hiring.js';
import { SAMPLE_CV_LINES } from '../fixtures/make.js';
import { englishLeftIn } from '../support/i18n.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { translator } from '../../server/core/i18n/translator.js';
import type { MessageKey } from '../../server/core/i18n/catalog-shape.js';
import type { MessageValues } from '../../server/core/i18n/translator.js';
import type { JobPayloads } from '../../server/core/queues.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { createReminderService } from '../../server/modules/interviews/reminders.js';
import { createInterviewReminderProcessor } from '../../worker/processors/interview-reminder.js';
import { axeViolations, describeFindings } from './axe.js';
import { CHROMIUM, launch, layoutProblems, listeningTestApp, newWatchedPage, screenshot, type Watch } from './browser.js';

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

const QUESTIONS = ['Wie planen Sie die Schichten für ein Team von zwölf Personen?', 'Wie gehen Sie mit einem Lieferengpass um?'];
await approvePlan(ctx, recruiter, job.id, QUESTIONS);
const EMAIL = `anna.${Date.now()}@example.test`;
const NAME = 'Anna Gruber';
const IGNORE = [org.name, TITLE, DESCRIPTION, NAME, EMAIL, 'Wien', 'hirebox', ...QUESTIONS];
const de = (key: MessageKey, values?: MessageValues): string => translator('de').t(key, values);
const mailsTo = () => ctx.mailer.outbox.filter((m) => m.to === EMAIL);

const browser = await launch();
t.teardown(() => browser.close());
const watch: Watch = { csp: [], errors: [] };
const { page } = await newWatchedPage(browser, watch, { timezoneId: 'Europe/Vienna', locale: 'de-AT' });

async function germanAndClean(t: Test, name: string): Promise<void> {
  t.equal(await page.getAttribute('html', 'lang'), 'de', `${name}: <html lang="de">`);
  t.same(englishLeftIn(await page.content(), IGNORE), [], `${name}: no English left`);
  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `${name}: no serious or critical WCAG 2.2 A/AA violation${found.length ? `\n${describeFindings(found)}` : ''}`);
  t.same(await layoutProblems(page), [], `${name}: every control is labelled`);
}

let applicationId = '';

t.test('a German job page in Chromium: German throughout, tz.js fills the zone, the application stores it', async (t) => {
  await page.goto(`${origin}/jobs/${org.slug}/${job.slug}`);
  await page.getByRole('heading', { name: TITLE }).waitFor();
  t.equal(await page.getAttribute('html', 'lang'), 'de');
  t.same(englishLeftIn(await page.content(), IGNORE), [], 'no English left on the page');
  // The external script ran: the hidden field holds the browser's zone.
  await page.locator('#candidate-time-zone').and(page.locator('[value]')).waitFor({ state: 'attached' });
  for (let i = 0; i < 50 && (await page.inputValue('#candidate-time-zone')) === ''; i++) await page.waitForTimeout(100);
  t.equal(await page.inputValue('#candidate-time-zone'), 'Europe/Vienna');
  const found = await axeViolations(page);
  t.same(found.map((f) => f.id), [], `no serious or critical WCAG 2.2 A/AA violation${found.length ? `\n${describeFindings(found)}` : ''}`);
  t.same(await layoutProblems(page), [], 'every control is labelled');

  await page.getByLabel('Vollständiger Name').fill(NAME);
  await page.getByLabel('E-Mail').fill(EMAIL);
  await page.locator('input[name="cv"]').setInputFiles({ name: 'lebenslauf.txt', mimeType: 'text/plain', buffer: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  await page.getByLabel(/Ich habe den obigen Hinweis gelesen/).check();
  await screenshot(page, 'journey-de-1-apply');
  await page.getByRole('button', { name: 'Bewerbung absenden' }).click();
  await page.getByRole('heading', { name: 'Vielen Dank' }).waitFor();
  await germanAndClean(t, 'thank-you page');

  const rows = await owner.query<{ id: string; locale: string; time_zone: string; consent_language: string }>('SELECT id, locale, time_zone, consent_language FROM applications WHERE job_id = $1', [job.id]);
  t.match(rows.rows, [{ locale: 'de', time_zone: 'Europe/Vienna', consent_language: 'de' }], 'the browser’s zone, the page locale and the consent language are stored');
  applicationId = rows.rows[0]?.id as string;
});

t.test('the status page, from the German mail', async (t) => {
  const mail = mailsTo().find((m) => /\/portal\/[a-z0-9-]+\/enter\//.test(m.text));
  t.equal(mail?.subject, de('mail.linkSubject', { org: org.name }), 'the status-page mail is German');
  t.same(englishLeftIn(mail?.text ?? '', IGNORE), [], 'no English in the mail');
  const link = /https?:\/\/\S+\/portal\/[a-z0-9-]+\/enter\/[A-Za-z0-9_-]{43}\S*/.exec(mail?.text ?? '')?.[0] as string;
  await page.goto(link);
  await page.getByRole('button', { name: de('portal.enterButton') }).click();
  await page.getByRole('heading', { level: 1, name: de('portal.statusTitle', { org: org.name }) }).waitFor();
  t.ok((await page.locator('section.application').textContent())?.includes(de('portal.stageNew')), 'the stage, in German');
  await germanAndClean(t, 'status page');
  await screenshot(page, 'journey-de-2-status');
});

const HOUR = 3600_000;
const start = Math.ceil((Date.now() + 96 * HOUR) / HOUR) * HOUR;
async function invite(availability: boolean): Promise<{ id: string; token: string }> {
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/applications/${applicationId}/interviews`,
    headers: recruiter.headers,
    payload: availability ? { availability: [{ start: new Date(start).toISOString(), end: new Date(start + 4 * HOUR).toISOString() }] } : {},
  });
  if (res.statusCode !== 201) throw new Error(`invite: ${res.statusCode} ${res.body}`);
  const mail = ctx.mailer.outbox.slice(before).find((m) => m.to === EMAIL && /\/i\/[A-Za-z0-9_-]+/.test(m.text));
  if (mail?.subject !== de('mail.inviteSubject', { job: TITLE, org: org.name })) throw new Error(`the invitation is not German: ${mail?.subject}`);
  if (englishLeftIn(mail.text, IGNORE).length > 0) throw new Error(`English in the invitation: ${englishLeftIn(mail.text, IGNORE).join(', ')}`);
  return { id: res.json<{ id: string }>().id, token: /\/i\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] as string };
}

t.test('a phone interview booked on the German page; the reminder e-mail is German, in Vienna time', async (t) => {
  const { id, token } = await invite(true);
  await page.goto(`${origin}/i/${token}`);
  await page.getByRole('heading', { level: 1, name: de('interview.heading', { job: TITLE, org: org.name }) }).waitFor();
  await germanAndClean(t, 'invitation page');
  await screenshot(page, 'journey-de-3-invitation');
  await page.getByLabel(de('interview.phoneLabel')).fill('+43 1 5880 1000');
  await page.getByLabel(de('interview.phoneConfirm')).check();
  const slot = new Date(start + HOUR);
  await page.getByLabel(de('interview.slotLabel')).selectOption(slot.toISOString());
  await page.getByRole('button', { name: de('interview.consentButton') }).click();
  await page.getByRole('link', { name: de('interview.manage') }).waitFor();
  await germanAndClean(t, 'booked page');
  const stored = await owner.query<{ notice_language: string; status: string }>('SELECT notice_language, status FROM interviews WHERE id = $1', [id]);
  t.same(stored.rows[0], { notice_language: 'de', status: 'scheduled' }, 'consent records the notice language');

  // The 24-hour reminder job the booking queued, run by the worker's own processor.
  const queue = createQueue(QUEUES.interviewReminder, ctx.redis, ctx.config.redisPrefix);
  t.teardown(() => queue.close());
  const job24 = (await queue.getJob(`interview-reminder-${id}-v1-24h`)) as Job<JobPayloads['interview-reminder']> | undefined;
  t.ok(job24, 'the booking queued a reminder a day before');
  const reminders = createReminderService({ db: ctx.db, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), mailer: ctx.mailer, clock: () => new Date(), log: createLogger('silent') });
  t.equal(await createInterviewReminderProcessor({ reminders })(job24 as Job<JobPayloads['interview-reminder']>), 'sent');
  const reminder = mailsTo().at(-1);
  t.equal(reminder?.subject, de('mail.reminderSubjectDay', { job: TITLE }), 'the reminder is German');
  t.same(englishLeftIn(reminder?.text ?? '', IGNORE), [], 'no English in the reminder');
  const viennaHour = new Intl.DateTimeFormat('de-AT', { timeZone: 'Europe/Vienna', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(slot);
  t.ok(reminder?.text.includes(viennaHour), `the time in Vienna (${viennaHour})`);
  t.match(reminder?.text, /Europe\/Vienna/, 'with its zone named');

  // She changes her mind: the manage link, then cancel.
  await page.getByRole('link', { name: de('interview.manage') }).click();
  await germanAndClean(t, 'manage page');
  await page.getByRole('button', { name: de('interview.cancelButton') }).click();
  await page.getByText(de('interview.cancelled', { org: org.name })).waitFor();
  await germanAndClean(t, 'cancelled page');
});

t.test('the next invitation, answered as a typed interview in German', async (t) => {
  const { id, token } = await invite(false);
  await page.goto(`${origin}/i/${token}`);
  await page.getByLabel(de('interview.modeTypedOption')).check();
  await page.getByRole('button', { name: de('interview.consentButton') }).click();
  await page.getByRole('link', { name: de('interview.openPage') }).click();
  await page.getByLabel(QUESTIONS[0] as string).waitFor();
  await germanAndClean(t, 'typed question');
  await screenshot(page, 'journey-de-4-typed');
  await page.getByLabel(QUESTIONS[0] as string).fill('Ich plane zwei Wochen im Voraus und stimme die Schichten mit dem Team ab.');
  await page.getByRole('button', { name: de('typed.send') }).click();
  await page.getByLabel(QUESTIONS[1] as string).fill('Ich informiere die Kundschaft früh und suche mit dem Einkauf eine Ersatzlieferung.');
  await page.getByRole('button', { name: de('typed.send') }).click();
  await page.getByText(de('typed.allAnswered', { total: 2 })).waitFor();
  await page.getByRole('button', { name: de('typed.finish') }).click();
  await page.getByText(de('interview.typedDone', { org: org.name })).waitFor();
  await germanAndClean(t, 'typed interview finished');
  const view = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: recruiter.cookie } })).json<{ status: string; mode: string; transcript: string }>();
  t.match(view, { status: 'ended', mode: 'typed' });
  t.match(view.transcript, /User: Ich plane zwei Wochen im Voraus/);
});

t.test('no CSP violation and no script error on any page of the journey', async (t) => {
  t.same(watch.csp, [], 'no CSP violation (the time-zone script is an external file)');
  t.same(watch.errors, [], 'no page errors');
});
