// issue 22 item 1, the candidate's side after applying, through the real HTTP entry points:
// a job advertised in German gives its candidate a German status-page mail and page, a
// German interview invitation (mail and page), typed interview, accommodation confirmation,
// calendar invite and reminders, with times in the candidate's zone (Berlin and New York
// differ by the right hours). Errors on /portal and /i/ (malformed, unknown, other-org,
// used and expired tokens, CSRF and cross-origin refusals, oversized bodies, rate limits)
// answer in German and change nothing. Consent records the notice's language.
import t from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import type { MailMessage } from '../../server/core/mailer.js';
import { messageText } from '../../server/core/i18n/translator.js';
import { createReminderService } from '../../server/modules/interviews/reminders.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { approvePlan, createJob } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, connectOwner, createOrgWithMember, ORIGIN } from '../helper.js';
import { englishLeftIn } from '../support/i18n.js';
import { until } from '../support/until.js';

const ctx = await buildTestApp(t, { appDeps: { portalLimits: { perEmailPerHour: 2, perIpPerMinute: 50, exportsPerHour: 2 } } });
const owner = await connectOwner(t, ctx);
const a = await createOrgWithMember(ctx, 'admin');
const b = await createOrgWithMember(ctx, 'admin');
const org = async (id: string) => (await owner.query<{ slug: string; name: string }>('SELECT slug, name FROM orgs WHERE id = $1', [id])).rows[0] as { slug: string; name: string };
const A = await org(a.orgId);
const B = await org(b.orgId);
const TITLE = 'Plattform-Ingenieurin';
const QUESTIONS = ['Beschreiben Sie ein System, das Sie entworfen haben.', 'Wie gehen Sie mit einem Ausfall um?'];
const job = await createJob(ctx, a, { title: TITLE, interviewQuestions: QUESTIONS });
await approvePlan(ctx, a, job.id, QUESTIONS);
await owner.query("UPDATE jobs SET language = 'de' WHERE id = $1", [job.id]);
const jobB = await createJob(ctx, b, { title: 'Anderes Projekt' });
const IGNORE = [A.name, B.name, TITLE, ...QUESTIONS];
const de = (key: Parameters<typeof messageText>[1]): string => messageText('de', key);

let ip = 0;
const nextIp = () => `10.23.${Math.floor(++ip / 250)}.${ip % 250}`;
async function apply(slug: string, jobSlug: string, email: string): Promise<string> {
  const { body, contentType } = multipartBody({ name: 'Hanna Muster', email, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) });
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${slug}/${jobSlug}/apply`, headers: { 'content-type': contentType, accept: 'application/json' }, payload: body, remoteAddress: nextIp() });
  if (res.statusCode !== 202) throw new Error(`apply: ${res.statusCode} ${res.body}`);
  const { rows } = await owner.query<{ id: string }>('SELECT id FROM applications WHERE job_id = (SELECT id FROM jobs WHERE slug = $1 LIMIT 1) ORDER BY created_at DESC LIMIT 1', [jobSlug]);
  return rows[0]?.id as string;
}
const mailsTo = (to: string): MailMessage[] => ctx.mailer.outbox.filter((m) => m.to === to);
const linkToken = (text: string): string => /\/enter\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? '';
const mailText = (m: MailMessage | undefined): string => `${m?.subject ?? ''}\n${(m?.text ?? '').replace(/https?:\/\/\S+/g, ' ')}`;
const count = async (sql: string): Promise<number> => Number((await owner.query<{ n: number }>(sql)).rows[0]?.n);
const portalState = async () => ({ links: await count('SELECT count(*)::int AS n FROM portal_links'), sessions: await count('SELECT count(*)::int AS n FROM portal_sessions') });
const hanna = 'hanna.muster@example.test';
const appId = await apply(A.slug, job.slug, hanna);
await apply(B.slug, jobB.slug, hanna);
await until("the link mails", async () => mailsTo(hanna).length >= 2);

async function signIn(token: string): Promise<string> {
  const res = await ctx.app.inject({ method: 'POST', url: `/portal/${A.slug}/enter/${token}`, headers: { origin: ORIGIN } });
  if (res.statusCode !== 303) throw new Error(`sign in: ${res.statusCode} ${res.body}`);
  return String(res.headers['set-cookie']).split(';')[0] as string;
}
async function freshToken(): Promise<string> {
  const before = mailsTo(hanna).length;
  await owner.query('DELETE FROM portal_links');
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/portal/${A.slug}/link?lang=de`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: { email: hanna }, remoteAddress: nextIp() });
  if (res.statusCode !== 202) throw new Error(`link: ${res.statusCode}`);
  await until("the link mail", async () => mailsTo(hanna).length > before);
  await ctx.redis.del(...(await ctx.redis.keys(`${ctx.config.redisPrefix}:portal:ask:*`)));
  return linkToken(mailsTo(hanna).at(-1)?.text ?? '');
}

t.test('the status-page link mail, sign-in and status page are German for a German job (French on request)', async (t) => {
  const mail = mailsTo(hanna).find((m) => m.text.includes(`/portal/${A.slug}/`));
  t.match(mail?.subject, /^Stand Ihrer Bewerbung bei /);
  t.same(englishLeftIn(mailText(mail), IGNORE), [], 'no English in the mail');
  t.match(mail?.text, /\?lang=de/, 'the link carries the language');
  const token = linkToken(mail?.text ?? '');
  const enter = await ctx.app.inject({ method: 'GET', url: `/portal/${A.slug}/enter/${token}?lang=de` });
  t.equal(enter.statusCode, 200);
  t.match(enter.body, /<html lang="de">/);
  t.match(String(enter.headers['set-cookie']), /hirebox-lang=de/, 'the explicit choice is remembered');
  t.same(englishLeftIn(enter.body, IGNORE), []);
  const session = await signIn(token);
  const page = await ctx.app.inject({ method: 'GET', url: `/portal/${A.slug}`, headers: { cookie: session } });
  t.equal(page.statusCode, 200);
  t.equal(page.headers['content-language'], 'de', "no choice made: the job's language");
  t.match(page.body, /Ihre Bewerbungen bei/);
  t.match(page.body, /Beworben am \d{1,2}\. [A-Z][a-zä]+ \d{4}/, 'the day in German');
  t.same(englishLeftIn(page.body, IGNORE), []);
  const fr = await ctx.app.inject({ method: 'GET', url: `/portal/${A.slug}?lang=fr`, headers: { cookie: session } });
  t.match(fr.body, /<html lang="fr">/);
  t.match(fr.body, /Vos candidatures chez/);
  t.same(englishLeftIn(fr.body, IGNORE), []);
});

t.test('status-page errors answer in German and change nothing', async (t) => {
  const german = { accept: 'application/json', 'accept-language': 'de-DE,de;q=0.9' };
  const html = { accept: 'text/html', 'accept-language': 'de' };
  const detail = (r: { json: () => unknown }) => (r.json() as { detail: string }).detail;

  const malformed = await ctx.app.inject({ method: 'GET', url: `/portal/${A.slug}/enter/short`, headers: german });
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.headers['content-language'], 'de');
  t.same(englishLeftIn(detail(malformed)), [], `malformed: ${detail(malformed)}`);

  const token = await freshToken();
  const otherOrg = await ctx.app.inject({ method: 'GET', url: `/portal/${B.slug}/enter/${token}`, headers: german });
  t.equal(otherOrg.statusCode, 404, "org A's link at org B");
  t.equal(detail(otherOrg), de('portal.errorLinkInvalid'));
  const otherOrgPage = await ctx.app.inject({ method: 'GET', url: `/portal/${B.slug}/enter/${token}`, headers: html });
  t.match(otherOrgPage.body, /<html lang="de">/);
  t.ok(otherOrgPage.body.includes(de('portal.errorTitle')), 'the HTML error page is German');
  t.same(englishLeftIn(otherOrgPage.body, IGNORE), []);

  const session = await signIn(token);
  const used = await ctx.app.inject({ method: 'GET', url: `/portal/${A.slug}/enter/${token}`, headers: german });
  t.equal(used.statusCode, 410);
  t.equal(detail(used), de('portal.errorLinkUsed'));

  const expiring = await freshToken();
  await owner.query("UPDATE portal_links SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL");
  const expired = await ctx.app.inject({ method: 'POST', url: `/portal/${A.slug}/enter/${expiring}`, headers: { ...german, origin: ORIGIN } });
  t.equal(expired.statusCode, 410);
  t.equal(detail(expired), de('portal.errorLinkExpired'));

  const { sessions, links } = await portalState();
  const csrf = await ctx.app.inject({ method: 'POST', url: `/portal/${A.slug}/sign-out`, headers: { ...german, cookie: session, origin: ORIGIN, 'content-type': 'application/json' }, payload: { csrf: 'x'.repeat(43) } });
  t.equal(csrf.statusCode, 403);
  t.equal(detail(csrf), de('portal.errorCsrf'));
  const cross = await ctx.app.inject({ method: 'POST', url: `/portal/${A.slug}/sign-out`, headers: { ...german, cookie: session, origin: 'https://evil.example', 'content-type': 'application/json' }, payload: {} });
  t.equal(cross.statusCode, 403);
  t.equal(detail(cross), de('portal.errorCrossOrigin'));
  t.equal((await portalState()).sessions, sessions, 'still signed in');

  const big = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/portal/${A.slug}/link`, headers: { ...german, 'content-type': 'application/x-www-form-urlencoded' }, payload: `email=${'a'.repeat(3000)}%40example.test`, remoteAddress: nextIp() });
  t.equal(big.statusCode, 413);
  t.same(englishLeftIn(detail(big)), [], `oversized: ${detail(big)}`);

  const ask = () => ctx.app.inject({ method: 'POST', url: `/api/v1/public/portal/${A.slug}/link`, headers: { ...german, 'content-type': 'application/json' }, payload: { email: 'nobody@example.test' }, remoteAddress: nextIp() });
  t.equal((await ask()).statusCode, 202);
  t.equal((await ask()).statusCode, 202);
  const limited = await ask();
  t.equal(limited.statusCode, 429);
  t.equal(detail(limited), de('portal.errorTooManyLinks'));
  t.equal((await portalState()).links, links, 'no link issued by any refused request');
});

// Interviews: per-invite windows a few days ahead, on the hour.
const HOUR = 3600_000;
const start = Math.ceil((Date.now() + 96 * HOUR) / HOUR) * HOUR;
const windows = [{ start: new Date(start).toISOString(), end: new Date(start + 4 * HOUR).toISOString() }];
const slot = new Date(start + HOUR).toISOString();
async function invite(applicationId: string): Promise<{ id: string; token: string; mail: MailMessage | undefined }> {
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: a.headers, payload: { availability: windows } });
  if (res.statusCode !== 201) throw new Error(`invite: ${res.statusCode} ${res.body}`);
  const mail = ctx.mailer.outbox.slice(before).find((m) => /\/i\/[A-Za-z0-9_-]+/.test(m.text));
  return { id: res.json<{ id: string }>().id, token: /\/i\/([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1] as string, mail };
}
const phoneConsent = { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+4930901820', phoneConfirmed: true, startAt: slot };
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const reminders = createReminderService({ db: ctx.db, keyring, mailer: ctx.mailer, clock: () => new Date(), log: createLogger('silent') });
const hourIn = (zone: string): number => Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(slot)));

t.test('the invitation mail and page, consent, calendar invite and reminders are German, times in the candidate zone', async (t) => {
  await owner.query("UPDATE applications SET time_zone = 'America/New_York' WHERE id = $1", [appId]);
  const { id, token, mail } = await invite(appId);
  t.match(mail?.subject, /^Interview für /);
  t.same(englishLeftIn(mailText(mail), IGNORE), [], 'no English in the invitation');
  const page = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<html lang="de">/);
  t.match(page.body, /<option value="America\/New_York" selected>/, "the application's zone is preselected");
  t.ok(page.body.includes('America/New_York'), 'times are said to be in New York');
  t.same(englishLeftIn(page.body, IGNORE), []);
  const es = await ctx.app.inject({ method: 'GET', url: `/i/${token}?lang=es` });
  t.match(es.body, /<html lang="es">/);
  t.same(englishLeftIn(es.body, IGNORE), [], 'Spanish on request');

  const mails = ctx.mailer.outbox.length;
  const answered = await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: { 'content-type': 'application/json', accept: 'text/html' }, payload: { ...phoneConsent, timezone: 'Europe/Berlin' } });
  t.equal(answered.statusCode, 200, answered.body);
  t.match(answered.body, /<html lang="de">/);
  t.match(answered.body, /\(Europe\/Berlin\) = .*\(UTC\)/, 'the booking in the chosen zone and UTC');
  t.same(englishLeftIn(answered.body, IGNORE), []);
  const stored = await owner.query<{ notice_language: string; notice_version: string }>('SELECT notice_language, notice_version FROM interviews WHERE id = $1', [id]);
  t.same(stored.rows[0], { notice_language: 'de', notice_version: INTERVIEW_NOTICE_VERSION }, 'consent records the notice language beside its version');
  const view = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: a.cookie } })).json<{ consent: { language: string } }>();
  t.equal(view.consent.language, 'de', 'and the interviews API shows it');

  const calendar = ctx.mailer.outbox.slice(mails).find((m) => m.icalEvent);
  t.match(calendar?.subject, /^Kalendereinladung: Interview für /);
  t.same(englishLeftIn(mailText(calendar), IGNORE), [], 'no English in the calendar mail');
  t.ok(calendar?.text.includes(`${String(hourIn('Europe/Berlin')).padStart(2, '0')}:00 (Europe/Berlin)`), 'Berlin time in the mail');
  const ics = String(calendar?.icalEvent?.content ?? '').replace(/\r\n[ \t]/g, '');
  t.match(ics, /SUMMARY:KI-Interview für /, 'the event summary is German');
  t.match(ics, /DESCRIPTION:Interview für /);

  // A second candidate of the same job books the same slot from New York.
  const other = await apply(A.slug, job.slug, 'noah.beispiel@example.test');
  const second = await invite(other);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${second.token}`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: { ...phoneConsent, timezone: 'America/New_York' } })).statusCode, 200);
  const sent = ctx.mailer.outbox.length;
  t.equal(await reminders.send(a.orgId, id, '24h', 1), 'sent');
  t.equal(await reminders.send(a.orgId, second.id, '1h', 1), 'sent');
  const [berlin, newYork] = ctx.mailer.outbox.slice(sent);
  t.match(berlin?.subject, /^Erinnerung: KI-Interview für .* morgen$/);
  t.match(newYork?.subject, /^Erinnerung: KI-Interview für .* in einer Stunde$/);
  t.same(englishLeftIn(mailText(berlin), IGNORE), [], 'no English in the reminder');
  const localHour = (m: MailMessage | undefined, zone: string): number => {
    const hit = /(\d{2}):00 \(([A-Za-z_/]+)\)/.exec(m?.text ?? '');
    return hit?.[2] === zone ? Number(hit[1]) : NaN;
  };
  t.equal(localHour(berlin, 'Europe/Berlin'), hourIn('Europe/Berlin'));
  t.equal(localHour(newYork, 'America/New_York'), hourIn('America/New_York'));
  t.equal((localHour(berlin, 'Europe/Berlin') - localHour(newYork, 'America/New_York') + 24) % 24, hourIn('Europe/Berlin') - hourIn('America/New_York') >= 0 ? hourIn('Europe/Berlin') - hourIn('America/New_York') : hourIn('Europe/Berlin') - hourIn('America/New_York') + 24, 'the two zones differ by their offset');
  t.ok([5, 6].includes((localHour(berlin, 'Europe/Berlin') - localHour(newYork, 'America/New_York') + 24) % 24), 'Berlin is 5 or 6 hours ahead of New York');

  const status = await ctx.app.inject({ method: 'GET', url: `/portal/${A.slug}`, headers: { cookie: await signIn(await freshToken()) } });
  t.match(status.body, /Gebucht für /, 'the status page shows the booking in German');
  t.same(englishLeftIn(status.body, IGNORE), []);
});

t.test('the typed interview page and the accommodation confirmation are German', async (t) => {
  const third = await apply(A.slug, job.slug, 'mia.probe@example.test');
  const typed = await invite(third);
  const asked = await ctx.app.inject({ method: 'POST', url: `/i/${typed.token}/accommodations`, headers: { 'content-type': 'application/json', accept: 'text/html' }, payload: { type: 'more_time' } });
  t.equal(asked.statusCode, 200, asked.body);
  t.match(asked.body, /<html lang="de">/);
  t.ok(asked.body.includes(de('accommodation.receivedTitle')));
  t.same(englishLeftIn(asked.body, IGNORE), []);
  const consent = await ctx.app.inject({ method: 'POST', url: `/i/${typed.token}`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, mode: 'typed' } });
  t.equal(consent.statusCode, 200, consent.body);
  const chat = await ctx.app.inject({ method: 'GET', url: `/i/${typed.token}` });
  t.match(chat.body, /Schriftliches Interview für/);
  t.match(chat.body, /Frage 1 von 2/);
  t.same(englishLeftIn(chat.body, IGNORE), []);
  const nl = await ctx.app.inject({ method: 'GET', url: `/i/${typed.token}?lang=nl` });
  t.match(nl.body, /Getypt gesprek voor/);
  t.same(englishLeftIn(nl.body, IGNORE), [], 'Dutch on request');
});

t.test('interview-page errors answer in German and change nothing', async (t) => {
  const fourth = await apply(A.slug, job.slug, 'lena.fehler@example.test');
  const { token, id } = await invite(fourth);
  const german = { accept: 'application/json', 'accept-language': 'de' };
  const detail = (r: { json: () => unknown }) => (r.json() as { detail: string }).detail;
  const accommodations = () => count('SELECT count(*)::int AS n FROM interview_accommodations');
  const before = await accommodations();

  const malformed = await ctx.app.inject({ method: 'GET', url: '/i/not!a!token', headers: german });
  t.equal(malformed.statusCode, 400);
  t.same(englishLeftIn(detail(malformed)), [], `malformed: ${detail(malformed)}`);
  const unknown = await ctx.app.inject({ method: 'GET', url: `/i/${'x'.repeat(43)}`, headers: german });
  t.equal(unknown.statusCode, 404);
  t.equal(detail(unknown), de('interview.errorInvitation'));

  const tooLong = await ctx.app.inject({ method: 'POST', url: `/i/${token}/accommodations`, headers: { ...german, 'content-type': 'application/json' }, payload: { type: 'more_time', note: 'x'.repeat(1001) } });
  t.equal(tooLong.statusCode, 400);
  t.same(englishLeftIn(detail(tooLong)), []);
  const oversized = await ctx.app.inject({ method: 'POST', url: `/i/${token}/accommodations`, headers: { ...german, 'content-type': 'application/json' }, payload: JSON.stringify({ type: 'more_time', note: 'x'.repeat(9000) }) });
  t.equal(oversized.statusCode, 413);
  t.same(englishLeftIn(detail(oversized)), [], `oversized: ${detail(oversized)}`);

  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: { ...german, 'content-type': 'application/json' }, payload: phoneConsent })).statusCode, 200);
  const state = async () => (await owner.query('SELECT status, scheduled_for, notice_language, invite_used_at FROM interviews WHERE id = $1', [id])).rows[0];
  const booked = await state();
  const reused = await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: { accept: 'application/json', 'content-type': 'application/json' }, payload: { action: 'decline' } });
  t.equal(reused.statusCode, 409, 'the invitation was used');
  t.equal(reused.headers['content-language'], 'de', "the candidate's language without any header asking for it");
  t.equal(detail(reused), de('interview.errorAnswered'));
  const reusedPage = await ctx.app.inject({ method: 'POST', url: `/i/${token}/reschedule`, headers: { accept: 'application/json', 'content-type': 'application/json' }, payload: { startAt: 'yesterday' } });
  t.equal(reusedPage.statusCode, 422);
  t.equal(detail(reusedPage), de('interview.errorSlot'));

  await owner.query("UPDATE interviews SET invite_expires_at = now() - interval '1 minute' WHERE id = $1", [id]);
  const expired = await ctx.app.inject({ method: 'POST', url: `/i/${token}/cancel`, headers: german });
  t.equal(expired.statusCode, 404);
  t.equal(detail(expired), de('interview.errorInvitation'));
  t.same(await state(), booked, 'nothing changed on the interview');

  let limited: Awaited<ReturnType<typeof ctx.app.inject>> | null = null;
  for (let i = 0; i < 12 && !limited; i += 1) {
    const r = await ctx.app.inject({ method: 'POST', url: `/i/${token}/accommodations`, headers: { ...german, 'content-type': 'application/json' }, payload: { type: 'nothing' }, remoteAddress: '10.99.0.1' });
    if (r.statusCode === 429) limited = r;
  }
  t.equal(limited?.statusCode, 429, 'rate limited');
  t.same(englishLeftIn(limited ? detail(limited) : 'none'), [], `rate limit: ${limited ? detail(limited) : ''}`);
  t.equal(await accommodations(), before, 'no accommodation stored by any refused request');
});

t.test("a recruiter's message keeps its own words; its privacy footer is in the candidate's language", async (t) => {
  const before = ctx.mailer.outbox.length;
  const text = 'Hallo Hanna, wir melden uns nächste Woche. Viele Grüße';
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${appId}/messages`, headers: a.headers, payload: { subject: 'Ihre Bewerbung', body: text } });
  t.equal(res.statusCode, 201, res.body);
  await until('the message mail', async () => ctx.mailer.outbox.length > before);
  const mail = ctx.mailer.outbox.slice(before).find((m) => m.to === hanna);
  t.ok(mail?.text.startsWith(text), 'the recruiter text as written');
  t.same(englishLeftIn(mailText(mail), IGNORE), [], 'the footer is German');
});
