// Hiring analytics end to end (issue 21 item 3): candidates apply on the public page, members
// decide through the API, the fixture sets the timestamps and stored AI recommendations, and
// the report's figures match the hand-computed answers below; CSV export, access and bad input.
import t from 'tap';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createJob } from '../fixtures/hiring.js';
import { multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const auditor = await createOrgWithMember(ctx, 'auditor', admin.orgId);
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const manager = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const otherAdmin = await createOrgWithMember(ctx, 'admin');

let ip = 0;
async function applyRes(orgSlug: string, jobSlug: string, extra: Record<string, string> = {}) {
  ip += 1;
  const fields = { ...extra, name: `Applicant ${ip}`, email: `analytics${ip}.${Date.now()}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION };
  const { body, contentType } = multipartBody(fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${jobSlug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.2.0.${ip}` });
}
async function apply(orgSlug: string, jobSlug: string, extra: Record<string, string> = {}): Promise<void> {
  const res = await applyRes(orgSlug, jobSlug, extra);
  if (res.statusCode !== 202) throw new Error(`apply: ${res.statusCode} ${res.body}`);
}
async function decide(m: Member, id: string, outcome: 'advance' | 'reject' | 'hire'): Promise<void> {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/decision`, headers: m.headers, payload: { outcome, reason: `analytics test: ${outcome}` } });
  if (res.statusCode !== 201) throw new Error(`decide: ${res.statusCode} ${res.body}`);
}

// A job whose title would be a spreadsheet formula: the CSV must neutralise it.
const job = await createJob(ctx, recruiter, { title: '=HYPERLINK("http://evil.test","x")' });
const slug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
// Five from a LinkedIn campaign (source lower-cased), one from a newsletter (too few: pooled).
for (let i = 0; i < 5; i++) await apply(slug, job.slug, { utm_source: 'LinkedIn', utm_medium: 'social', utm_campaign: 'Spring-2026' });
await apply(slug, job.slug, { utm_source: 'newsletter' });
const ids = (await owner.query<{ id: string }>('SELECT id FROM applications WHERE job_id = $1 ORDER BY created_at, id', [job.id])).rows.map((r) => r.id);
if (ids.length !== 6) throw new Error(`expected 6 applications, got ${ids.length}`);

// Hand-built history: [outcomes in order], day offsets of each move from 2026-01-01, AI recommendation stored on each decision.
const PLAN: { outcomes: ('advance' | 'reject' | 'hire')[]; days: number[]; ai: string | null }[] = [
  { outcomes: ['advance', 'advance', 'hire'], days: [1, 3, 10], ai: 'advance' }, // hired after 10 days
  { outcomes: ['advance', 'advance', 'hire'], days: [2, 4, 6], ai: 'advance' }, // hired after 6 days
  { outcomes: ['advance', 'reject'], days: [1, 2], ai: 'not_advance' },
  { outcomes: ['advance', 'reject'], days: [3, 5], ai: 'not_advance' },
  { outcomes: ['advance', 'reject'], days: [1, 4], ai: 'review' },
  { outcomes: ['reject'], days: [1], ai: null },
];
const BASE = Date.parse('2026-01-01T00:00:00Z');
const day = (d: number) => new Date(BASE + d * 86_400_000);
for (const [i, p] of PLAN.entries()) {
  const id = ids[i] as string;
  for (const o of p.outcomes) await decide(recruiter, id, o);
  await owner.query('UPDATE applications SET created_at = $2 WHERE id = $1', [id, day(0)]);
  const events = (await owner.query<{ id: string }>(`SELECT id FROM application_events WHERE application_id = $1 AND type IN ('decision.recorded', 'stage.changed') ORDER BY created_at, id`, [id])).rows;
  if (events.length !== p.days.length) throw new Error(`application ${i}: ${events.length} stage events for ${p.days.length} decisions`);
  for (const [k, e] of events.entries()) await owner.query('UPDATE application_events SET created_at = $2 WHERE id = $1', [e.id, day(p.days[k] as number)]);
  await owner.query('UPDATE decisions SET ai_recommendation = $2 WHERE application_id = $1', [id, p.ai]);
}
const otherJob = await createJob(ctx, otherAdmin, { title: 'Other org job' });

interface Supp { value: number | null; n: number; suppressed: boolean }
interface Figures {
  applications: number;
  funnel: { kind: string; reached: number; conversionFromPrevious: number | null }[];
  outcomes: Record<string, number>;
  timeInStageDays: { kind: string; median: Supp }[];
  timeToHireDays: Supp;
  agreement: { compared: number; agreed: number; rate: Supp; excludedReview: number; excludedHold: number };
  sources: { source: string; pooled: boolean; applications: number; hired: number }[];
  campaigns: { source: string; pooled: boolean; applications: number; hired: number }[];
}
interface Report { job: { id: string; title: string } | null; minSampleSize: number; figures: Figures; byJob: { job: { id: string }; figures: Figures }[] }

const get = (m: Member, q: string, csv = false) => ctx.app.inject({ method: 'GET', url: `/api/v1/analytics/report${csv ? '.csv' : ''}${q ? `?${q}` : ''}`, headers: { cookie: m.cookie } });

t.test('per-job figures match the hand-computed answers', async (t) => {
  const res = await get(recruiter, `jobId=${job.id}`);
  t.equal(res.statusCode, 200, res.body);
  const r = res.json<Report>();
  t.equal(r.minSampleSize, 5, 'fairness default minimum sample');
  t.equal(r.figures.applications, 6);
  t.same(
    r.figures.funnel.map((f) => [f.kind, f.reached, f.conversionFromPrevious]),
    [['new', 6, null], ['screening', 5, 0.8333], ['interview', 2, 0.4], ['offer', 2, 1], ['hired', 2, 1]],
  );
  t.same(r.figures.outcomes, { rejected: 4, withdrawn: 0, inProgress: 0, hired: 2 });
  // new: stays 1,2,1,3,1,1 -> median 1; screening: 2,2,1,2,3 -> 2; interview: 7,2 -> 2 stays, under 5: suppressed.
  t.same(r.figures.timeInStageDays, [
    { kind: 'new', median: { value: 1, n: 6, suppressed: false } },
    { kind: 'screening', median: { value: 2, n: 5, suppressed: false } },
    { kind: 'interview', median: { value: null, n: 2, suppressed: true } },
    { kind: 'offer', median: { value: null, n: 0, suppressed: false } },
  ]);
  t.same(r.figures.timeToHireDays, { value: null, n: 2, suppressed: true }, 'two hires: under the minimum sample, suppressed');
  // 6 advance-recommended decisions agree; of 4 not_advance ones the 2 rejects agree; 2 'review' and 1 without a recommendation are not compared.
  t.same(r.figures.agreement, { compared: 10, agreed: 8, rate: { value: 0.8, n: 10, suppressed: false }, excludedReview: 2, excludedHold: 0 });
  t.same(r.figures.sources, [
    { source: 'linkedin', pooled: false, applications: 5, hired: 2 },
    { source: '(other: values with fewer applications than the minimum sample)', pooled: true, applications: 1, hired: 0 },
  ], 'a source with one application is pooled, never named');
  t.same(r.figures.campaigns, [
    { source: 'Spring-2026', pooled: false, applications: 5, hired: 2 },
    { source: '(none)', pooled: false, applications: 1, hired: 0 },
  ]);
  t.notOk(res.body.includes('newsletter'));
  t.same(r.byJob, [], 'no per-job breakdown for a single job');
});

t.test('the org report has the per-job breakdown and a lower minimum sample unsuppresses time to hire', async (t) => {
  const put = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: admin.headers, payload: { impactRatioThreshold: 0.8, minSampleSize: 2, minSampleShare: 0.02 } });
  t.equal(put.statusCode, 200, put.body);
  const res = await get(auditor, '');
  t.equal(res.statusCode, 200, res.body);
  const r = res.json<Report>();
  t.equal(r.job, null);
  t.same(r.figures.timeToHireDays, { value: 8, n: 2, suppressed: false }, 'median of 10 and 6 days');
  t.same(r.figures.timeInStageDays.find((s) => s.kind === 'interview')?.median, { value: 4.5, n: 2, suppressed: false }, 'median of 7 and 2 days');
  t.same(r.byJob.map((j) => [j.job.id, j.figures.applications]), [[job.id, 6]], "only this org's job");
  const window = await get(auditor, 'from=2026-02-01&to=2026-03-01');
  t.equal(window.json<Report>().figures.applications, 0, 'nothing applied in the window');
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: admin.headers, payload: { impactRatioThreshold: 0.8, minSampleSize: 5, minSampleShare: 0.02 } });
});

t.test('CSV export: the same figures, formula-looking cells neutralised', async (t) => {
  const res = await get(admin, `jobId=${job.id}`, true);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.headers['content-type'], /^text\/csv/);
  t.match(res.headers['content-disposition'], /attachment/);
  const lines = res.body.trim().split('\r\n');
  t.equal(lines[0], 'job_id,job_title,metric,stage,value,n,suppressed');
  t.ok(lines.includes(`"${job.id}","'=HYPERLINK(""http://evil.test"",""x"")","funnel_reached","screening",5,5,false`), 'title starts with a quote, not =');
  t.notOk(lines.some((l) => /(^|,)"?[=+\-@]/.test(l)), 'no cell starts with a formula character');
  t.ok(lines.includes(`"${job.id}","'=HYPERLINK(""http://evil.test"",""x"")","median_days_to_hire","",,2,true`), 'suppressed cells are empty');
});

t.test('access: hiring manager 403, no session 401, another org 404, malformed and bad ranges 400', async (t) => {
  const hm = await get(manager, `jobId=${job.id}`);
  t.equal(hm.statusCode, 403);
  t.match(hm.headers['content-type'], /application\/problem\+json/);
  const anon = await ctx.app.inject({ method: 'GET', url: '/api/v1/analytics/report' });
  t.equal(anon.statusCode, 401);
  const cross = await get(recruiter, `jobId=${otherJob.id}`);
  t.equal(cross.statusCode, 404, "another org's job is not found");
  t.match(cross.headers['content-type'], /application\/problem\+json/);
  t.equal((await get(otherAdmin, `jobId=${job.id}`)).statusCode, 404);
  t.equal((await get(otherAdmin, `jobId=${job.id}`, true)).statusCode, 404, 'CSV too');
  const otherOrg = (await get(otherAdmin, '')).json<Report>();
  t.equal(otherOrg.figures.applications, 0, "the other org sees none of this org's applications");
  for (const q of ['jobId=not-a-uuid', 'from=yesterday', 'from=2026-13-45', 'from=2026-06-01&to=2026-01-01', `from=${'9'.repeat(50)}`]) {
    const res = await get(recruiter, q);
    t.equal(res.statusCode, 400, `${q}: 400`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
  }
});

t.test('UTM capture: the apply page carries valid parameters into the form; bad ones are refused and nothing is stored', async (t) => {
  const page = await ctx.app.inject({ method: 'GET', url: `/jobs/${slug}/${job.slug}?utm_source=Indeed&utm_medium=%22%3E%3Cscript%3Ex&utm_campaign=${'c'.repeat(101)}` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<input type="hidden" name="utm_source" value="indeed">/);
  t.notOk(page.body.includes('name="utm_medium"'), 'an invalid value from a link is dropped');
  t.notOk(page.body.includes('name="utm_campaign"'), 'an oversized value from a link is dropped');
  t.notOk(page.body.includes('<script>x'));
  const before = (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM applications')).rows[0]?.n;
  for (const [field, value] of [['utm_source', '=cmd|calc'], ['utm_medium', 'a'.repeat(101)], ['utm_campaign', 'x<y']] as const) {
    const res = await applyRes(slug, job.slug, { [field]: value });
    t.equal(res.statusCode, 400, `${field}: 400`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.match(res.json<{ errors: { path: string }[] }>().errors[0]?.path, field);
    t.notOk(res.body.includes(value), 'the value is not echoed');
  }
  const after = (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM applications')).rows[0]?.n;
  t.equal(after, before, 'nothing stored');
  await apply(slug, job.slug, { utm_source: 'indeed', utm_medium: 'cpc', utm_campaign: 'Q1 hiring' });
  const stored = await owner.query('SELECT utm_source, utm_medium, utm_campaign FROM applications WHERE utm_source = $1', ['indeed']);
  t.same(stored.rows, [{ utm_source: 'indeed', utm_medium: 'cpc', utm_campaign: 'Q1 hiring' }]);
});
