// issue 22 item 1: the apply side in the candidate's language. The job's language in the jobs
// API; the job page, careers list and thank-you page with no English left in German (and one
// more locale); the locale, time zone and consent language stored with an application; the
// apply API's errors localised, each changing nothing stored.
import t, { type Test } from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { countRows, createJob, HIRING_TABLES } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { englishLeftIn } from '../support/i18n.js';
import { translator } from '../../server/core/i18n/translator.js';

const PER_JOB = 30;
// The hourly per-job rate is what the rate test exceeds; the per-minute burst is out of its way.
const ctx = await buildTestApp(t, { env: { APPLY_RATE_PER_JOB_HOUR: String(PER_JOB), APPLY_BURST_PER_JOB_MINUTE: '1000' } });
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const other = await createOrgWithMember(ctx, 'admin');
const orgRow = (await owner.query<{ slug: string; name: string }>('SELECT slug, name FROM orgs WHERE id = $1', [admin.orgId])).rows[0] as { slug: string; name: string };
const slug = orgRow.slug;
const contact = (await owner.query<{ email: string | null; url: string | null }>('SELECT privacy_contact_email AS email, privacy_contact_url AS url FROM org_settings WHERE org_id = $1', [admin.orgId]).catch(() => ({ rows: [] }))).rows[0];

const inAYear = new Date(Date.now() + 365 * 24 * 3_600_000);
const GERMAN = {
  title: 'Backend-Entwicklerin (m/w/d)',
  description: 'Sie bauen unsere Plattform mit TypeScript und Postgres.',
  location: 'Berlin',
  country: 'DE',
  workplace: 'hybrid',
  salary: { min: 65000, max: 80000, currency: 'EUR', unit: 'YEAR' },
  validThrough: inAYear.toISOString(),
  language: 'de',
};
const jobDe = await createJob(ctx, admin, GERMAN);
const jobEn = await createJob(ctx, admin, { title: 'Support Engineer' });
const jobLimited = await createJob(ctx, admin, { ...GERMAN, title: 'Datenanalyst (m/w/d)' });
const jobFr = await createJob(ctx, admin, { ...GERMAN, title: 'Datenanalyst (m/w/d)', language: 'fr' });
// Names the test chose, as written by the recruiter (never translated).
const IGNORE = [orgRow.name, GERMAN.title, 'Datenanalyst (m/w/d)', 'Support Engineer', GERMAN.description, 'Berlin', 'hirebox', ...(contact?.email ? [contact.email] : []), ...(contact?.url ? [contact.url] : [])];

let ip = 0;
const nextIp = () => `10.22.${Math.floor(++ip / 250)}.${(ip % 250) + 1}`;
const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers, remoteAddress: nextIp() });

let n = 0;
function apply(jobSlug: string, fields: Record<string, string> = {}, opts: { file?: { filename: string; contentType: string; data: Buffer } | null; headers?: Record<string, string>; orgSlug?: string; url?: string } = {}) {
  n += 1;
  const { body, contentType } = multipartBody(
    { name: 'Erika Muster', email: `erika${n}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, ...fields },
    opts.file === null ? undefined : (opts.file ?? { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf([...SAMPLE_CV_LINES, `Variante ${n}`]) }),
  );
  return ctx.app.inject({
    method: 'POST',
    url: opts.url ?? `/api/v1/public/jobs/${opts.orgSlug ?? slug}/${jobSlug}/apply`,
    headers: { 'content-type': contentType, ...opts.headers },
    payload: body,
    remoteAddress: nextIp(),
  });
}

async function latestApplication(jobId: string) {
  const { rows } = await owner.query<{ locale: string | null; time_zone: string | null; consent_language: string | null; id: string }>(
    'SELECT id, locale, time_zone, consent_language FROM applications WHERE job_id = $1 ORDER BY created_at DESC LIMIT 1',
    [jobId],
  );
  return rows[0];
}

t.test('jobs API: language is stored, shown, validated; default en; another org cannot change it', async (t) => {
  const job = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobDe.id}`, headers: admin.headers });
  t.equal(job.json<{ language: string }>().language, 'de');
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobEn.id}`, headers: admin.headers })).json<{ language: string }>().language, 'en', 'default en');
  const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${jobEn.id}`, headers: admin.headers, payload: { language: 'fr' } });
  t.equal(patched.statusCode, 200);
  t.equal(patched.json<{ language: string }>().language, 'fr');
  const bad = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${jobEn.id}`, headers: admin.headers, payload: { language: 'xx' } });
  t.equal(bad.statusCode, 400, 'unknown language: 400');
  t.match(String(bad.headers['content-type']), /^application\/problem\+json/);
  const badCreate = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: admin.headers, payload: { title: 'X', employmentType: 'full_time', language: 'pt' } });
  t.equal(badCreate.statusCode, 400, 'unknown language on create: 400');
  const cross = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${jobEn.id}`, headers: other.headers, payload: { language: 'nl' } });
  t.equal(cross.statusCode, 404, 'another org: 404');
  const stored = (await owner.query<{ language: string }>('SELECT language FROM jobs WHERE id = $1', [jobEn.id])).rows[0];
  t.equal(stored?.language, 'fr', 'unchanged by the refused requests');
  await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${jobEn.id}`, headers: admin.headers, payload: { language: 'en' } });
  const openapi = await get('/api/docs');
  t.equal(openapi.statusCode, 200);
  const doc = JSON.stringify(openapi.json());
  t.match(doc, /The language the job is advertised in/, 'the OpenAPI document describes the job language');
});

t.test('the German job page: German throughout, switcher, lang, Content-Language, time-zone script', async (t) => {
  const res = await get(`/jobs/${slug}/${jobDe.slug}`);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-language'], 'de');
  t.match(res.body, /<html lang="de">/);
  t.same(englishLeftIn(res.body, IGNORE), [], 'no English left on the German page');
  t.match(res.body, /Bewerbung absenden/);
  t.match(res.body, /EUR 65\.000–80\.000 pro Jahr/, 'salary in German number format');
  t.match(res.body, /Hybrid \(vor Ort und Homeoffice\)/);
  t.ok(res.body.includes(`Bewerbungsschluss: ${translator('de').t('apply.applyBy', { date: inAYear }).split(': ')[1]}`), 'apply-by date in German');
  t.match(res.body, /<input type="hidden" name="locale" value="de">/);
  t.match(res.body, /<script src="\/assets\/tz\.js" defer><\/script>/);
  t.match(res.body, /<nav class="languages" aria-label="Sprache wählen|<nav class="languages" aria-label="[^"]+"><ul>/);
  t.match(res.body, /href="\/jobs\/[^"]+\?lang=fr"/, 'switcher links');
  for (const label of ['Geschlecht', 'Keine Antwort', 'Ich möchte keine Angabe machen']) t.ok(res.body.includes(label), `demographics: ${label}`);
  t.match(res.body, /<option value="female">Weiblich<\/option>/, 'stored values unchanged, labels translated');

  const tz = await get('/assets/tz.js');
  t.equal(tz.statusCode, 200);
  t.match(String(tz.headers['content-type']), /javascript/);
  t.match(tz.body, /candidate-time-zone/);
});

t.test('the candidate can switch: ?lang=fr is French and remembered; ?lang=en is English', async (t) => {
  const fr = await get(`/jobs/${slug}/${jobDe.slug}?lang=fr`);
  t.equal(fr.headers['content-language'], 'fr');
  t.same(englishLeftIn(fr.body, IGNORE), [], 'no English left on the French page');
  t.match(fr.body, /Envoyer ma candidature/);
  t.match(fr.body, /65\u202f000|65 000/, 'French number format');
  t.match(String(fr.headers['set-cookie']), /hirebox-lang=fr/);
  const remembered = await get(`/jobs/${slug}/${jobDe.slug}`, { cookie: 'hirebox-lang=fr' });
  t.equal(remembered.headers['content-language'], 'fr', 'the cookie wins over the job language');
  const en = await get(`/jobs/${slug}/${jobDe.slug}?lang=en`);
  t.match(en.body, /Submit application/);
  t.match(en.body, /<html lang="en">/);
  const nl = await get(`/jobs/${slug}/${jobEn.slug}`, { 'accept-language': 'nl-NL,nl;q=0.9' });
  t.equal(nl.headers['content-language'], 'en', 'an English job stays English for a Dutch browser (the job language wins)');
});

t.test('careers list: locale from ?lang, cookie or Accept-Language; German and Spanish', async (t) => {
  const de = await get(`/jobs/${slug}`, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
  t.equal(de.statusCode, 200);
  t.equal(de.headers['content-language'], 'de');
  t.same(englishLeftIn(de.body, IGNORE), [], 'no English left on the German careers page');
  t.match(de.body, /offene Stellen/);
  const es = await get(`/jobs/${slug}?lang=es&q=zzzz-none`);
  t.same(englishLeftIn(es.body, IGNORE), [], 'no English left on the Spanish careers page (empty search)');
  t.match(es.body, /Ningún puesto vacante coincide con su búsqueda/);
  const embed = await get(`/jobs/${slug}/embed.html?lang=de`);
  t.same(englishLeftIn(embed.body, IGNORE), [], 'embed in German');
  const unknown = await get('/jobs/no-such-org-here?lang=de');
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json<{ detail: string }>().detail, translator('de').t('apply.orgNotFound'), 'unknown org: German detail');
});

t.test('apply stores locale, time zone and consent language; the thank-you page is German', async (t) => {
  const res = await apply(jobDe.slug, { locale: 'de', timeZone: 'Europe/Berlin' }, { headers: { accept: 'text/html' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-language'], 'de');
  t.same(englishLeftIn(res.body, IGNORE), [], 'thank-you page in German');
  t.match(res.body, /Vielen Dank/);
  const app = await latestApplication(jobDe.id);
  t.match(app, { locale: 'de', time_zone: 'Europe/Berlin', consent_language: 'de' });

  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${app?.id}`, headers: admin.headers });
  t.equal(view.json<{ consent: { language: string } }>().consent.language, 'de', 'the applications API shows the consent language');
  const candidateId = view.json<{ candidate: { id: string } }>().candidate.id;
  const exported = await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${candidateId}/export`, headers: admin.headers });
  t.equal(exported.statusCode, 200, exported.body.slice(0, 300));
  t.match(exported.json<{ applications: unknown[] }>().applications, [{ consent: { language: 'de', noticeVersion: String }, locale: 'de', timeZone: 'Europe/Berlin' }], 'the data export records the consent language');

  const nl = await apply(jobDe.slug, { locale: 'nl', timeZone: 'Mars/Olympus_Mons' }, { headers: { accept: 'text/html' } });
  t.equal(nl.statusCode, 200, 'an invalid zone is ignored, not an error');
  t.same(englishLeftIn(nl.body, IGNORE), [], 'thank-you page in Dutch');
  t.match(nl.body, /Bedankt/);
  t.match(await latestApplication(jobDe.id), { locale: 'nl', time_zone: null, consent_language: 'nl' });

  const api = await apply(jobDe.slug, {}, {});
  t.equal(api.statusCode, 202, 'API clients may omit locale and zone');
  t.match(await latestApplication(jobDe.id), { locale: 'de', time_zone: null, consent_language: 'de' }, 'the page language (the job’s) is recorded');
});

async function refused(t: Test, what: string, send: () => ReturnType<typeof apply>, status: number, key: Parameters<ReturnType<typeof translator>['t']>[0], locale: 'de' | 'fr' | 'es', values?: Record<string, number>) {
  const before = await countRows(owner, HIRING_TABLES);
  const res = await send();
  t.equal(res.statusCode, status, `${what}: ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
  t.equal(res.json<{ detail: string }>().detail, translator(locale).t(key, values), `${what}: ${locale} detail`);
  t.same(await countRows(owner, HIRING_TABLES), before, `${what}: nothing stored`);
}

t.test('the apply API answers errors in the candidate’s language and stores nothing', async (t) => {
  // German: the candidate's remembered choice (an unknown job has no language of its own);
  // French: a French job, with a French browser.
  const rounds = [
    ['de', jobDe.slug, { cookie: 'hirebox-lang=de' }],
    ['fr', jobFr.slug, { 'accept-language': 'fr-FR,fr;q=0.9' }],
  ] as const;
  for (const [locale, jobSlug, headers] of rounds) {
    await refused(t, 'missing consent', () => apply(jobSlug, { consent: '' }, { headers }), 422, 'apply.consentMissing', locale);
    await refused(t, 'stale notice version', () => apply(jobSlug, { noticeVersion: 'old' }, { headers }), 422, 'apply.noticeChanged', locale);
    await refused(t, 'stale notice revision', () => apply(jobSlug, { noticeRevision: '999' }, { headers }), 422, 'apply.noticeChanged', locale);
    await refused(t, 'stale question set', () => apply(jobSlug, { questionsVersion: '7' }, { headers }), 422, 'apply.questionsChanged', locale);
    await refused(t, 'invalid email', () => apply(jobSlug, { email: 'not-an-email' }, { headers }), 400, 'apply.invalidFields', locale);
    await refused(t, 'invalid review choice', () => apply(jobSlug, { humanReviewOnly: 'maybe' }, { headers }), 400, 'apply.invalidChoice', locale);
    await refused(t, 'invalid demographic', () => apply(jobSlug, { 'demographics.gender': 'woman' }, { headers }), 400, 'apply.invalidDemographics', locale);
    await refused(t, 'CV missing', () => apply(jobSlug, {}, { headers, file: null }), 422, 'apply.cvMissing', locale);
    await refused(t, 'CV too large', () => apply(jobSlug, {}, { headers, file: { filename: 'cv.pdf', contentType: 'application/pdf', data: Buffer.alloc(10 * 1024 * 1024 + 1, 0x41) } }), 413, 'apply.cvTooLarge', locale);
    await refused(t, 'CV of the wrong type', () => apply(jobSlug, {}, { headers, file: { filename: 'cv.png', contentType: 'image/png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]) } }), 415, 'apply.cvWrongType', locale);
    await refused(t, 'CV unreadable', () => apply(jobSlug, {}, { headers, file: { filename: 'cv.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4\n1 0 obj\n') } }), 422, 'apply.cvUnreadable', locale);
    await refused(t, 'unknown job', () => apply('no-such-job', {}, { headers }), 404, 'apply.jobNotFound', locale);
    await refused(t, 'unknown org', () => apply(jobSlug, {}, { headers, orgSlug: 'no-such-org-x' }), 404, 'apply.jobNotFound', locale);
    await refused(t, 'malformed multipart', () => ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${slug}/${jobSlug}/apply`, headers: { 'content-type': 'multipart/form-data; boundary=x', ...headers }, payload: '--x\r\nbroken', remoteAddress: nextIp() }), 400, 'apply.formMalformed', locale);
    await refused(t, 'invalid locale field', () => apply(jobSlug, { locale: 'klingon' }, { headers }), 400, 'apply.formMalformed', locale);
  }
  // Another org's job under this org's slug is an unknown job.
  const otherJob = await createJob(ctx, other, { title: 'Andere Stelle', language: 'de' });
  await refused(t, 'another org’s job', () => apply(otherJob.slug, {}, { headers: { 'accept-language': 'de' } }), 404, 'apply.jobNotFound', 'de');
  // Spanish via Accept-Language for an English job without a choice: the job's language wins, so ask explicitly.
  await refused(t, 'missing consent (es, ?lang)', () => apply(jobEn.slug, { consent: '' }, { url: `/api/v1/public/jobs/${slug}/${jobEn.slug}/apply?lang=es` }), 422, 'apply.consentMissing', 'es');
});

t.test('rate limited per job: a localised 429, nothing stored', async (t) => {
  for (let i = 0; i < PER_JOB; i += 1) await apply(jobLimited.slug, { consent: '' });
  const before = await countRows(owner, HIRING_TABLES);
  const res = await apply(jobLimited.slug);
  t.equal(res.statusCode, 429);
  const minutes = Math.ceil(Number(res.headers['retry-after']) / 60);
  t.equal(res.json<{ detail: string }>().detail, translator('de').t('apply.tooManyJob', { minutes }), 'German detail with the wait');
  t.same(await countRows(owner, HIRING_TABLES), before, 'nothing stored');
});

t.test('the AI summary page in German and Spanish; the contest page in the language the candidate applied in', async (t) => {
  const de = await get(`/privacy/${slug}/ai?lang=de`);
  t.equal(de.statusCode, 200);
  t.match(de.body, /<html lang="de">/);
  t.same(englishLeftIn(de.body, IGNORE), [], 'AI page in German');
  const es = await get(`/privacy/${slug}/ai`, { 'accept-language': 'es-ES' });
  t.equal(es.headers['content-language'], 'es');
  t.same(englishLeftIn(es.body, IGNORE), [], 'AI page in Spanish');

  // An application made in German gets a German contest page.
  const res = await apply(jobDe.slug, { locale: 'de', timeZone: 'Europe/Berlin' });
  t.equal(res.statusCode, 202);
  const app = await latestApplication(jobDe.id);
  const link = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${app?.id}/contest-link`, headers: admin.headers });
  t.equal(link.statusCode, 201, link.body);
  const path = new URL(link.json<{ url: string }>().url).pathname;
  const page = await get(path);
  t.equal(page.statusCode, 200);
  t.equal(page.headers['content-language'], 'de');
  t.same(englishLeftIn(page.body, IGNORE), [], 'contest page in German');
  t.match(page.body, /Prüfung durch eine Person/);
  const nl = await get(`${path}?lang=nl`);
  t.same(englishLeftIn(nl.body, IGNORE), [], 'contest page in Dutch on request');
});

t.test('a re-submission in German: the confirmation mail and pages are German; expired and malformed links are localised', async (t) => {
  const email = `lena.${Date.now()}@example.test`;
  const first = await apply(jobDe.slug, { email, locale: 'de', timeZone: 'Europe/Berlin' });
  t.equal(first.statusCode, 202);
  const before = ctx.mailer.outbox.length;
  const again = await apply(jobDe.slug, { email }, { file: { filename: 'neu.pdf', contentType: 'application/pdf', data: makePdf([...SAMPLE_CV_LINES, 'neue Fassung']) } });
  t.equal(again.statusCode, 202);
  const mail = ctx.mailer.outbox.slice(before).find((m) => m.to === email);
  t.ok(mail, 'the candidate is mailed');
  t.match(mail?.subject, /^Bitte bestätigen Sie den neuen Lebenslauf/);
  t.same(englishLeftIn(`${mail?.subject}\n${mail?.text}`.replace(/https?:\/\/\S+/g, ' '), IGNORE), [], 'the mail is German (its link aside)');
  const path = /\/apply\/confirm\/[A-Za-z0-9_-]{43}/.exec(mail?.text ?? '')?.[0] as string;
  const page = await get(path);
  t.equal(page.statusCode, 200);
  t.equal(page.headers['content-language'], 'de');
  t.same(englishLeftIn(page.body, IGNORE), [], 'the confirmation page is German');
  const fr = await get(`${path}?lang=fr`);
  t.same(englishLeftIn(fr.body, IGNORE), [], 'and French on request');
  const bad = await get('/apply/confirm/short', { 'accept-language': 'de' });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json<{ detail: string }>().detail, translator('de').t('problem.validation'), 'a malformed link: German detail');
  const unknown = await get(`/apply/confirm/${'A'.repeat(43)}`, { 'accept-language': 'es' });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json<{ detail: string }>().detail, translator('es').t('problem.notFound'), 'an unknown link: Spanish detail');
  const confirmed = await ctx.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: 'confirm=yes', remoteAddress: nextIp() });
  t.equal(confirmed.statusCode, 200);
  t.same(englishLeftIn(confirmed.body, IGNORE), [], 'the confirmed page is German');
  const used = await ctx.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'hirebox-lang=de' }, payload: 'confirm=yes', remoteAddress: nextIp() });
  t.ok([404, 410].includes(used.statusCode), `a used link: ${used.statusCode}`);
  const de = translator('de');
  t.ok([de.t('problem.gone'), de.t('problem.notFound')].includes(used.json<{ detail: string }>().detail), 'its detail is German');
});
