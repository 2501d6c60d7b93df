// Bias report end to end (DESIGN §8): candidates apply on the public page with voluntary
// demographics, members decide through the API, and the report, the monitor (through the
// real worker and its bias-monitor queue), the thresholds and the CLI say what they should,
// without any individual's answer in a response or a log line.
import t from 'tap';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { startWorkers } from '../../worker/worker.js';
import { createJob } from '../fixtures/hiring.js';
import { multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { cli as runCli, cliSync } from '../support/cli.js';
import { until } from '../support/until.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const auditor = await createOrgWithMember(ctx, 'auditor', admin.orgId);
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const manager = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const otherAdmin = await createOrgWithMember(ctx, 'admin');
const fairAdmin = await createOrgWithMember(ctx, 'admin');

const workerRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerRedis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  biasMonitor: { redis: workerRedis },
});
const monitorQueue = createQueue(QUEUES.biasMonitor, workerRedis, ctx.services.redisPrefix);
t.teardown(async () => {
  await monitorQueue.close();
  await running.close();
  workerRedis.disconnect();
});

// A rare free-text answer: pooled into "other", never shown anywhere.
// One person in a category: pooled with other rare answers, so its label never shows.
const RARE = 'non_binary_other';
const RARE_LABEL = 'Non-binary or another gender';
let ip = 0;

async function slugOf(orgId: string): Promise<string> {
  return (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [orgId])).rows[0]?.slug as string;
}

async function apply(orgSlug: string, jobSlug: string, demographics: Record<string, string>): Promise<void> {
  ip += 1;
  const fields: Record<string, string> = { name: `Applicant ${ip}`, email: `applicant${ip}.${Date.now()}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION };
  for (const [k, v] of Object.entries(demographics)) fields[`demographics.${k}`] = v;
  const { body, contentType } = multipartBody(fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  // One address per applicant: the apply endpoint is rate limited per IP.
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${jobSlug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.1.${Math.floor(ip / 250)}.${ip % 250}` });
  if (res.statusCode !== 202) throw new Error(`apply: ${res.statusCode} ${res.body}`);
}

async function applicationIds(m: Member, jobId: string): Promise<string[]> {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}/applications?limit=100`, headers: { cookie: m.cookie } });
  return res
    .json<{ applications: { id: string; createdAt: string }[] }>()
    .applications.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((a) => a.id);
}

async function decide(m: Member, applicationId: string, outcome: 'advance' | 'reject' | 'hire'): Promise<void> {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/decision`, headers: m.headers, payload: { outcome, reason: `bias test: ${outcome}` } });
  if (res.statusCode !== 201) throw new Error(`decide: ${res.statusCode} ${res.body}`);
}

/** Advance twice (new -> screening -> interview): past screening. */
async function advancePastScreening(m: Member, id: string): Promise<void> {
  await decide(m, id, 'advance');
  await decide(m, id, 'advance');
}

// Org A, one job: 5 women (1 advanced, 4 rejected), 5 men (4 advanced, one of them hired; 1 rejected),
// 2 without demographics (1 advanced, 1 pending), 1 rare answer (rejected).
const job = await createJob(ctx, recruiter, { title: 'Data Engineer' });
const slugA = await slugOf(admin.orgId);
for (let i = 0; i < 5; i++) await apply(slugA, job.slug, { gender: 'female', ethnicity: 'asian' });
for (let i = 0; i < 5; i++) await apply(slugA, job.slug, { gender: 'male', ethnicity: 'white' });
await apply(slugA, job.slug, {});
await apply(slugA, job.slug, {});
await apply(slugA, job.slug, { gender: RARE });
const ids = await applicationIds(recruiter, job.id);
const [w0, w1, w2, w3, w4, m0, m1, m2, m3, m4, u0, , r0] = ids as string[];
await advancePastScreening(recruiter, w0 as string);
for (const id of [w1, w2, w3, w4]) await decide(recruiter, id as string, 'reject');
for (const id of [m0, m1, m2, m3]) await advancePastScreening(recruiter, id as string);
await decide(recruiter, m0 as string, 'hire');
await decide(recruiter, m4 as string, 'reject');
await advancePastScreening(recruiter, u0 as string);
await decide(recruiter, r0 as string, 'reject');

const otherJob = await createJob(ctx, otherAdmin, { title: 'Other org job' });

interface Cat {
  category: string;
  grouped: boolean;
  applicants: number;
  advanced: { assessed: number; selected: number; rate: number | null; impactRatio: number | null; smallSample: boolean; flagged: boolean; pending: number };
  hired: { assessed: number; selected: number; smallSample: boolean; flagged: boolean; pending: number };
  scoring: { assessed: number; smallSample: boolean };
}
interface Report {
  job: { id: string } | null;
  totals: { applications: number; withDemographics: number; erasedExcluded: number; scored: number; humanReviewOnly: number };
  dimensions: { key: string; unknown: number; categories: Cat[] }[];
  breaches: { dimension: string; category: string; metric: string; impactRatio: number }[];
  settings: { impactRatioThreshold: number };
}

t.test('an auditor gets the per-job report: selection rates, impact ratios, flags, small samples, unknowns', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}`, headers: { cookie: auditor.cookie } });
  t.equal(res.statusCode, 200, res.body);
  const r = res.json<Report>();
  t.equal(r.job?.id, job.id);
  t.same(r.totals, { applications: 13, withDemographics: 11, erasedExcluded: 0, scored: 0, humanReviewOnly: 0, knockoutAssessed: 0, knockedOut: 0 });
  t.equal(r.settings.impactRatioThreshold, 0.8, 'default four-fifths threshold');
  const gender = r.dimensions.find((d) => d.key === 'gender');
  t.equal(gender?.unknown, 2, 'two declined: a count only');
  t.same(
    gender?.categories.map((c) => [c.category, c.applicants, c.advanced.selected, c.advanced.assessed, c.advanced.rate, c.advanced.impactRatio, c.advanced.flagged, c.advanced.smallSample]),
    [
      ['Female', 5, 1, 5, 0.2, 0.25, true, false],
      ['Male', 5, 4, 5, 0.8, 1, false, false],
      ['other (answers given by fewer than 3 people)', 1, 0, 1, 0, null, false, true],
    ],
    'fixed categories with their labels; 0.2 / 0.8 = 0.25 < 0.8 is flagged; the pooled rare answer is small-sample',
  );
  const male = gender?.categories.find((c) => c.category === 'Male');
  t.same([male?.hired.selected, male?.hired.assessed, male?.hired.pending, male?.hired.smallSample, male?.hired.flagged], [1, 2, 3, true, false], 'hired: 1 hired + 1 rejected assessed, 3 still in progress; under n=5: small-sample');
  t.equal(male?.scoring.assessed, 0, 'nothing AI-scored yet');
  const ethnicity = r.dimensions.find((d) => d.key === 'ethnicity');
  t.equal(ethnicity?.unknown, 3);
  t.same(
    ethnicity?.categories.map((c) => [c.category, c.advanced.impactRatio]),
    [
      ['Asian', 0.25],
      ['White', 1],
    ],
  );
  t.same(
    r.dimensions.find((d) => d.key === 'gender_x_ethnicity')?.categories.map((c) => c.category),
    ['Female / Asian', 'Male / White'],
    'intersectional categories',
  );
  t.same(
    r.breaches.map((b) => `${b.dimension}:${b.category}:${b.metric}:${b.impactRatio}`).sort(),
    ['ethnicity:Asian:advanced:0.25', 'gender:Female:advanced:0.25', 'gender_x_ethnicity:Female / Asian:advanced:0.25'],
  );
  t.notOk(res.body.includes(RARE_LABEL), 'a rare answer never appears');
  for (const id of ids) t.notOk(res.body.includes(id), 'no application id in the report');
  t.notOk(/candidate|email|Applicant \d/.test(res.body.replace(/"method":\{.*\}/s, '')), 'no candidate identifiers');

  const viewed = await ctx.db.withTenant(admin.orgId, (q) => q.query<{ actor_id: string; target_id: string; metadata: Record<string, unknown> }>("SELECT actor_id, target_id, metadata FROM audit_events WHERE action = 'bias.report_viewed'"));
  t.equal(viewed.rowCount, 1, 'the view is audited');
  t.equal(viewed.rows[0]?.actor_id, auditor.userId);
  t.equal(viewed.rows[0]?.target_id, job.id);
  t.match(viewed.rows[0]?.metadata, { scope: 'job', applications: 13, breaches: 3, via: 'api' });
  t.notOk(ctx.logs.some((l) => l.toLowerCase().includes(RARE.toLowerCase()) || /"(female|male|asian|white)"/.test(l)), 'no demographic answer in any log line');
});

t.test('the org report (no jobId) and the window filter', async (t) => {
  const org = await ctx.app.inject({ method: 'GET', url: '/api/v1/bias/report', headers: { cookie: admin.cookie } });
  t.equal(org.statusCode, 200, org.body);
  t.equal(org.json<Report>().job, null);
  t.equal(org.json<Report>().totals.applications, 13);
  const future = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}&from=2999-01-01`, headers: { cookie: admin.cookie } });
  t.equal(future.statusCode, 200, future.body);
  t.same([future.json<Report>().totals.applications, future.json<Report>().dimensions], [0, []], 'no applications in a future window');
  const past = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}&from=2020-01-01&to=2999-01-01T00:00:00Z`, headers: { cookie: admin.cookie } });
  t.equal(past.json<Report>().totals.applications, 13);
});

t.test('access: recruiter and hiring manager 403, no session 401, another org\'s job 404, malformed queries 400', async (t) => {
  for (const m of [recruiter, manager]) {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}`, headers: { cookie: m.cookie } });
    t.equal(res.statusCode, 403, `${m.role}: 403`);
    t.notOk(res.body.includes('Female'));
  }
  const anon = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}` });
  t.equal(anon.statusCode, 401);
  const cross = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${otherJob.id}`, headers: { cookie: auditor.cookie } });
  t.equal(cross.statusCode, 404, 'another org\'s job is not found');
  const crossBack = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}`, headers: { cookie: otherAdmin.cookie } });
  t.equal(crossBack.statusCode, 404);
  for (const q of ['jobId=not-a-uuid', 'from=yesterday', 'from=2026-13-45', 'from=2026-06-01&to=2026-01-01', `jobId=${job.id}&from=${'9'.repeat(50)}`]) {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?${q}`, headers: { cookie: auditor.cookie } });
    t.equal(res.statusCode, 400, `${q}: 400`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
  }
});

t.test("the job picker: auditors list their own org's jobs with applications only; recruiters 403, no session 401", async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/bias/jobs', headers: { cookie: auditor.cookie } });
  t.equal(res.statusCode, 200, res.body);
  const jobs = res.json<{ jobs: { id: string; title: string }[] }>().jobs;
  t.ok(jobs.some((j) => j.id === job.id && j.title === 'Data Engineer'), 'the org job is listed');
  t.notOk(jobs.some((j) => j.id === otherJob.id), "another org's job is not");
  const other = await ctx.app.inject({ method: 'GET', url: '/api/v1/bias/jobs', headers: { cookie: otherAdmin.cookie } });
  // Only jobs with applications are offered; the other org's job has none, and org A's are not its own.
  t.same(other.json<{ jobs: { id: string }[] }>().jobs, [], "the other org sees none of this org's jobs");
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/bias/jobs', headers: { cookie: recruiter.cookie } })).statusCode, 403);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/bias/jobs' })).statusCode, 401);
});

t.test('settings: admins read and change thresholds; validation, size limit, roles and tenants', async (t) => {
  const get = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/bias-settings', headers: { cookie: admin.cookie } });
  t.equal(get.statusCode, 200, get.body);
  t.match(get.json(), { impactRatioThreshold: 0.8, minSampleSize: 5, minSampleShare: 0.02, updatedAt: null });
  for (const payload of [
    { impactRatioThreshold: 0.4, minSampleSize: 5, minSampleShare: 0.02 },
    { impactRatioThreshold: 1.1, minSampleSize: 5, minSampleShare: 0.02 },
    { impactRatioThreshold: 0.8, minSampleSize: 0, minSampleShare: 0.02 },
    { impactRatioThreshold: 0.8, minSampleSize: 5, minSampleShare: 0.5 },
    { impactRatioThreshold: 'high', minSampleSize: 5, minSampleShare: 0.02 },
    { impactRatioThreshold: 0.8 },
  ]) {
    const res = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: admin.headers, payload });
    t.equal(res.statusCode, 400, `${JSON.stringify(payload)}: 400`);
  }
  const malformed = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: '{"impactRatioThreshold":' });
  t.equal(malformed.statusCode, 400, 'malformed JSON: 400');
  const big = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ impactRatioThreshold: 0.8, minSampleSize: 5, minSampleShare: 0.02, pad: 'x'.repeat(1_100_000) }) });
  t.equal(big.statusCode, 413, 'oversized: 413');
  for (const m of [recruiter, auditor, manager]) {
    const res = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: m.headers, payload: { impactRatioThreshold: 0.9, minSampleSize: 5, minSampleShare: 0.02 } });
    t.equal(res.statusCode, 403, `${m.role}: 403`);
  }
  const other = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: otherAdmin.headers, payload: { impactRatioThreshold: 0.5, minSampleSize: 1, minSampleShare: 0 } });
  t.equal(other.statusCode, 200, other.body);
  const mine = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/bias-settings', headers: { cookie: admin.cookie } });
  t.equal(mine.json<{ impactRatioThreshold: number }>().impactRatioThreshold, 0.8, "another org's change does not touch this org");

  const put = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: admin.headers, payload: { impactRatioThreshold: 0.2 + 0.7, minSampleSize: 3, minSampleShare: 0.05 } });
  t.equal(put.statusCode, 200, put.body);
  t.match(put.json(), { impactRatioThreshold: 0.9, minSampleSize: 3, minSampleShare: 0.05, updatedBy: admin.userId });
  const report = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}`, headers: { cookie: auditor.cookie } });
  const male = report.json<Report>().dimensions[0]?.categories.find((c) => c.category === 'Male');
  t.equal(male?.hired.smallSample, true, 'still small: 2 assessed < 3');
  t.equal(report.json<Report>().settings.impactRatioThreshold, 0.9, 'the report uses the org threshold');
  const changed = await ctx.db.withTenant(admin.orgId, (q) => q.query("SELECT metadata FROM audit_events WHERE action = 'bias.settings_changed'"));
  t.equal(changed.rowCount, 1, 'the change is audited');
  // Back to the defaults for the monitor test.
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/bias-settings', headers: admin.headers, payload: { impactRatioThreshold: 0.8, minSampleSize: 5, minSampleShare: 0.02 } });
});

async function runMonitor(orgId: string): Promise<void> {
  const job = await monitorQueue.add('monitor', { orgId }, { jobId: `bias-monitor-test-${orgId}-${Date.now()}` });
  await until('the bias monitor job', async () => ((await job.getState()) === 'completed' ? true : (await job.getState()) === 'failed' ? Promise.reject(new Error(job.failedReason)) : false));
}

const count = async (orgId: string, sql: string) => (await ctx.db.withTenant(orgId, (q) => q.query<{ n: number }>(sql))).rows[0]?.n ?? 0;

t.test('the monitor (worker queue bias-monitor) raises one bias_breach alert and audit event for a breach, and not again for the same one', async (t) => {
  await runMonitor(admin.orgId);
  t.equal(await count(admin.orgId, "SELECT count(*)::int AS n FROM alerts WHERE kind = 'bias_breach'"), 1, 'one alert');
  t.equal(await count(admin.orgId, "SELECT count(*)::int AS n FROM audit_events WHERE action = 'bias.breach_detected'"), 1, 'one audit event');
  const alert = await ctx.db.withTenant(admin.orgId, (q) => q.query<{ summary: string; details: Record<string, unknown>; severity: string }>("SELECT summary, details, severity FROM alerts WHERE kind = 'bias_breach'"));
  t.equal(alert.rows[0]?.severity, 'critical');
  t.match(alert.rows[0]?.details, { newBreaches: 6, jobs: 1, firstJobId: job.id }, 'org-wide and per-job: 3 + 3 breaches');
  t.notMatch(JSON.stringify(alert.rows), /female|male|asian|white|zqx/i, 'no demographic category in the alert');
  const state = await owner.query<{ breach_keys: string[] }>('SELECT breach_keys FROM bias_monitor_state WHERE org_id = $1', [admin.orgId]);
  t.equal(state.rows[0]?.breach_keys.length, 6);
  t.notMatch(JSON.stringify(state.rows), /female|male|asian|white/i, 'the state holds hashed categories only');

  await runMonitor(admin.orgId);
  t.equal(await count(admin.orgId, "SELECT count(*)::int AS n FROM alerts WHERE kind = 'bias_breach'"), 1, 'the same breach does not alert again');
  t.equal(await count(admin.orgId, "SELECT count(*)::int AS n FROM audit_events WHERE action = 'bias.breach_detected'"), 1);
});

t.test('the monitor raises nothing for an org under the threshold', async (t) => {
  const fairJob = await createJob(ctx, fairAdmin, { title: 'Fair job' });
  const slug = await slugOf(fairAdmin.orgId);
  for (let i = 0; i < 5; i++) await apply(slug, fairJob.slug, { gender: 'female' });
  for (let i = 0; i < 5; i++) await apply(slug, fairJob.slug, { gender: 'male' });
  const fairIds = await applicationIds(fairAdmin, fairJob.id);
  for (const [i, id] of fairIds.entries()) {
    if (i % 5 < 3) await advancePastScreening(fairAdmin, id);
    else await decide(fairAdmin, id, 'reject');
  }
  await runMonitor(fairAdmin.orgId);
  t.equal(await count(fairAdmin.orgId, "SELECT count(*)::int AS n FROM alerts WHERE kind = 'bias_breach'"), 0);
  t.equal(await count(fairAdmin.orgId, "SELECT count(*)::int AS n FROM audit_events WHERE action = 'bias.breach_detected'"), 0);
  const state = await owner.query<{ breach_keys: string[] }>('SELECT breach_keys FROM bias_monitor_state WHERE org_id = $1', [fairAdmin.orgId]);
  t.same(state.rows[0]?.breach_keys, [], 'checked, nothing in breach');
});

const cli = (args: string[]) => cliSync(ctx.env, args);
const cliAsync = (args: string[]) => runCli(ctx.env, args);

t.test('CLI: bias report --org [--job] [--json]', async (t) => {
  const json = cli(['bias', 'report', '--org', admin.orgId, '--job', job.id, '--json']);
  t.equal(json.status, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { ok: boolean; reports: Report[] };
  t.equal(out.reports.length, 1);
  t.equal(out.reports[0]?.breaches.length, 3);
  const human = cli(['bias', 'report', '--org', admin.orgId]);
  t.equal(human.status, 0, human.stderr);
  t.match(human.stdout, /Bias report: org .* \(all jobs\)/);
  t.match(human.stdout, /Bias report: job Data Engineer/);
  t.match(human.stdout, /Female\s+5\s+1\/5\s+20\.0%\s+0\.250 !/);
  t.notOk(human.stdout.includes(RARE_LABEL));
  // Independent processes: run side by side.
  const [usage, badOrg, bogus, missing] = await Promise.all([
    cliAsync(['bias', 'report']),
    cliAsync(['bias', 'report', '--org', 'nope']),
    cliAsync(['bias', 'report', '--org', admin.orgId, '--bogus']),
    cliAsync(['bias', 'report', '--org', admin.orgId, '--job', otherJob.id]),
  ]);
  t.same([usage.status, badOrg.status, bogus.status], [2, 2, 2], 'usage errors exit 2');
  t.equal(missing.status, 1, "another org's job: not found");
  const viewed = await count(admin.orgId, "SELECT count(*)::int AS n FROM audit_events WHERE action = 'bias.report_viewed' AND metadata->>'via' = 'cli'");
  t.ok(viewed >= 3, 'CLI views are audited');
});

t.test('erased candidates are left out and counted', async (t) => {
  // Retention erasure, as the sweep leaves it: key destroyed, demographics deleted, candidate marked erased.
  const cand = await owner.query<{ candidate_id: string }>('SELECT candidate_id FROM applications WHERE id = $1', [w1]);
  const candidateId = cand.rows[0]?.candidate_id as string;
  await owner.query('DELETE FROM demographics WHERE application_id = $1', [w1]);
  await owner.query('UPDATE candidate_keys SET wrapped_key = NULL, destroyed_at = now() WHERE candidate_id = $1', [candidateId]);
  await owner.query('UPDATE candidates SET erased_at = now() WHERE id = $1', [candidateId]);
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}`, headers: { cookie: auditor.cookie } });
  const r = res.json<Report>();
  t.same([r.totals.applications, r.totals.erasedExcluded], [12, 1]);
  t.equal(r.dimensions[0]?.categories.find((c) => c.category === 'Female')?.applicants, 4);
});
