// Migration 0054's backfill on data shaped as before the upgrade: a plan saved by a
// recruiter (plain questions, no status) stays usable as an approved legacy plan, a job
// that sent invites without a stored plan gets one from its latest interview, and a job
// with neither needs a new plan. The backfill statements are read from the migration
// file itself and run as the migration owner, as `hirebox migrate` does.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { migrationsDir } from '../../server/core/migrate.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const recruiter = await createOrgWithMember(ctx, 'recruiter');
const outsider = await createOrgWithMember(ctx, 'recruiter');

const sql = readFileSync(path.join(migrationsDir(), '0054_alter_interview_plans_drafts.sql'), 'utf8');
const backfill = sql.slice(sql.indexOf('ALTER TABLE interview_plans NO FORCE ROW LEVEL SECURITY;'), sql.indexOf('CREATE INDEX interview_plans_org_status_idx'));

const invite = (applicationId: string, m = recruiter) => ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: m.headers, payload: {} });
const newApplication = async (jobId: string, m = recruiter) => (await uploadCv(ctx, m, jobId)).json<{ applicationId: string }>().applicationId;

// Before the upgrade: job A had a recruiter-saved plan; job B had invites but no stored plan;
// job C had nothing. Built through today's API, then put back into the old shape.
const jobA = await createJob(ctx, recruiter, { title: 'Saved plan' });
await approvePlan(ctx, recruiter, jobA.id, ['Tell us about a system you designed.']);
const jobB = await createJob(ctx, recruiter, { title: 'Invites, no plan' });
await approvePlan(ctx, recruiter, jobB.id, ['Describe a hard bug you fixed.']);
const seeded = await invite(await newApplication(jobB.id));
if (seeded.statusCode !== 201) throw new Error(`invite: ${seeded.statusCode} ${seeded.body}`);
const jobC = await createJob(ctx, recruiter, { title: 'Nothing yet' });
const otherJob = await createJob(ctx, outsider, { title: 'Other org, saved plan' });
await approvePlan(ctx, outsider, otherJob.id, ['Tell us about a project.']);
await owner.query(`UPDATE interview_plans SET status = 'draft', source = 'recruiter', items = NULL, criteria_version = NULL, approved_at = NULL, approved_by = NULL, questions = '["Legacy question about systems?"]' WHERE job_id = ANY($1)`, [[jobA.id, otherJob.id]]);
await owner.query('DELETE FROM interview_plans WHERE job_id = $1', [jobB.id]);

t.test('the backfill keeps old plans usable and refuses nothing that worked before', async (t) => {
  await owner.query('BEGIN');
  await owner.query('SET LOCAL ROLE hirebox_owner');
  await owner.query(backfill);
  await owner.query('COMMIT');

  const plan = async (jobId: string, m = recruiter) => (await ctx.app.inject({ method: 'GET', url: `/api/v1/interview-plans/${jobId}`, headers: m.headers })).json<{ status: string; source: string; questions: { text: string; criterion: string | null; anchor: string | null }[]; problems: { code: string }[] }>();
  const a = await plan(jobA.id);
  t.match(a, { status: 'approved', source: 'legacy', questions: [{ text: 'Legacy question about systems?', criterion: null, anchor: null }] });
  t.ok(a.problems.some((p) => p.code === 'unknown_criterion'), 'the console shows what to add to it');
  const invited = await invite(await newApplication(jobA.id));
  t.equal(invited.statusCode, 201, invited.body);
  t.same(invited.json<{ questions: string[] }>().questions, ['Legacy question about systems?']);
  t.match(await plan(otherJob.id, outsider), { status: 'approved', source: 'legacy' }, 'every org is backfilled');

  t.match(await plan(jobB.id), { status: 'approved', source: 'legacy', questions: [{ text: 'Describe a hard bug you fixed.' }] }, "B's plan comes from its latest interview");
  t.equal((await invite(await newApplication(jobB.id))).statusCode, 201);

  t.match(await plan(jobC.id), { status: 'none' });
  t.equal((await invite(await newApplication(jobC.id))).statusCode, 409, 'a job without plan or invites needs a plan');

  const forced = await owner.query("SELECT relname FROM pg_class WHERE relname IN ('interview_plans', 'interviews') AND relforcerowsecurity");
  t.equal(forced.rowCount, 2, 'row level security is forced again');
});
