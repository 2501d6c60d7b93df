// Issue 19, interview-reconcile: after a call's end-of-call report, and after the longest
// possible call when no report came, the worker asks Vapi for the call (GET /call) to fill
// in the transcript and recording reference. That job is enqueued after a commit, so Redis
// down then, or restarted empty later, lost it and the interview was never reconciled. The
// reconciler (worker/reconcile.ts, migration 0062) re-offers it under the producer's
// deterministic id (interviewReconcileJobId): exactly once, never doubling a live job, not
// before the call ended or should have, each in its own org, and no longer once reconciled.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import t from 'tap';
import { bullPrefix, createQueue, QUEUES } from '../../server/core/queues.js';
import { RECONCILE_SLACK_MS } from '../../server/modules/interviews/calls.js';
import { interviewReconcileJobId } from '../../server/core/queue-jobs.js';
import { interviewReconcileReconciler } from '../../worker/reconcile.js';
import { INTERVIEW_RECONCILE_OPTS } from '../../server/core/queue-jobs.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const queue = createQueue(QUEUES.interviewReconcile, ctx.redis, ctx.config.redisPrefix);
t.teardown(() => queue.close());

async function org(): Promise<{ admin: Member; jobId: string }> {
  const admin = await createOrgWithMember(ctx, 'admin');
  const job = await createJob(ctx, admin, { title: 'Support Engineer', interviewQuestions: ['How do you calm an angry customer?'] });
  await approvePlan(ctx, admin, job.id, ['How do you calm an angry customer?']);
  return { admin, jobId: job.id };
}

/**
 * An interview whose call `callId` was placed `placedSecondsAgo` ago, as the start leaves it;
 * with `reportSecondsAgo`, its end-of-call report was applied then (the report stores the
 * transcript when it carries one, and marks the interview ended, but not reconciled).
 */
async function called(o: { admin: Member; jobId: string }, callId: string, placedSecondsAgo: number, reportSecondsAgo?: number): Promise<string> {
  const applicationId = (await uploadCv(ctx, o.admin, o.jobId)).json<{ applicationId: string }>().applicationId;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: o.admin.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(res.body);
  const id = res.json<{ id: string }>().id;
  await owner.query(`UPDATE interviews SET status = 'calling', call_status = 'queued', vapi_call_id = $2, attempts = 1 WHERE id = $1`, [id, callId]);
  await owner.query(`INSERT INTO interview_calls (org_id, call_id, interview_id, attempt, mode, created_at) VALUES ($1, $2, $3, 1, 'phone', now() - make_interval(secs => $4))`, [o.admin.orgId, callId, id, placedSecondsAgo]);
  if (reportSecondsAgo !== undefined) {
    await owner.query(`UPDATE interviews SET status = 'ended', call_status = 'ended', report_received_at = now() - make_interval(secs => $2) WHERE id = $1`, [id, reportSecondsAgo]);
  }
  return id;
}

const live = async (): Promise<Map<string, { orgId?: string; interviewId?: string }>> =>
  new Map((await queue.getJobs(['wait', 'delayed', 'prioritized', 'active'])).map((j) => [j.id as string, j.data]));

t.test('a lost reconcile is re-offered once under the producer id; live, reconciled and not yet due ones are left alone', async (t) => {
  const a = await org();
  const b = await org();
  const maxSeconds = 900; // the plan's default
  const overdue = maxSeconds + RECONCILE_SLACK_MS / 1000 + 120;
  const reported = await called(a, 'call-rec-reported', 300, 60);
  const otherOrg = await called(b, 'call-rec-other', 300, 60);
  const silent = await called(a, 'call:rec/silent', overdue); // no report ever came, the call is long over
  const talking = await called(a, 'call-rec-talking', 120); // still within its longest possible duration
  const justReported = await called(a, 'call-rec-just', 60, 1); // the report-phase job may still be on its way
  const withJob = await called(a, 'call-rec-live', 300, 60);
  const done = await called(a, 'call-rec-done', 300, 60);
  await owner.query(`UPDATE interviews SET reconciled_at = now() WHERE id = $1`, [done]);
  const unreachable = await called(a, 'call-rec-unreachable', overdue);
  await owner.query(`UPDATE interviews SET status = 'unreachable', call_status = 'ended' WHERE id = $1`, [unreachable]);
  // The live job: the app's report-phase job, delayed a little (as RECONCILE_AFTER_REPORT_MS).
  await queue.add('reconcile', { orgId: a.admin.orgId, interviewId: withJob }, { jobId: interviewReconcileJobId(withJob, 'call-rec-live', 'report'), delay: 60_000 });
  const reconciler = interviewReconcileReconciler(ctx.db, queue);

  t.same(await reconciler.run(3600), { added: 0, retried: 0 }, 'nothing whose report is younger than the grace period, nothing not yet overdue by it');
  const out = await reconciler.run(30);
  t.equal(out.added, 3, 'the two reported calls (both orgs) and the silent overdue one');
  const jobs = await live();
  t.same(jobs.get(interviewReconcileJobId(reported, 'call-rec-reported', 'report')), { orgId: a.admin.orgId, interviewId: reported }, 'a reported call: the report-phase id, ids only');
  t.same(jobs.get(interviewReconcileJobId(otherOrg, 'call-rec-other', 'report')), { orgId: b.admin.orgId, interviewId: otherOrg }, 'in its own org');
  t.same(jobs.get(interviewReconcileJobId(silent, 'call:rec/silent', 'due')), { orgId: a.admin.orgId, interviewId: silent }, 'no report: the safety-net id (the call id sanitised)');
  t.equal(interviewReconcileJobId(silent, 'call:rec/silent', 'due'), `interview-reconcile-${silent}-callrecsilent-due`);
  const ours = (id: string): boolean => [talking, justReported, withJob, done, unreachable].some((x) => id.includes(x));
  t.same([...jobs.keys()].filter(ours), [interviewReconcileJobId(withJob, 'call-rec-live', 'report')], 'the live job is not doubled; talking, just-reported, reconciled and unreachable interviews get none');
  const added = (await queue.getJob(interviewReconcileJobId(reported, 'call-rec-reported', 'report')))!;
  t.equal(added.opts.attempts, INTERVIEW_RECONCILE_OPTS.attempts, "with the producer's retries");
  t.notOk(added.opts.delay, 'at once');
  t.same(await reconciler.run(30), { added: 0, retried: 0 }, 'a second pass adds nothing: the re-offered jobs are live');

  // Redis flushed of every job (restarted empty): the same three come back, once each.
  await queue.obliterate({ force: true });
  t.same(await reconciler.run(30), { added: 4, retried: 0 }, 'after the flush the three lost ones and the formerly live one are re-added');
  t.same(await reconciler.run(30), { added: 0, retried: 0 }, 'and only once');
  t.equal((await live()).size, 4);

  // Reconciled: offered no more.
  await queue.obliterate({ force: true });
  await owner.query(`UPDATE interviews SET reconciled_at = now() WHERE id = ANY($1)`, [[reported, otherOrg, silent, withJob, justReported]]);
  t.same(await reconciler.run(30), { added: 0, retried: 0 }, 'reconciled interviews are not offered again');
});

t.test('a reconcile job that failed out (the call never ended as far as Vapi said) gets one more attempt', async (t) => {
  const a = await org();
  const id = await called(a, 'call-rec-failed', 300, 60);
  const jobId = interviewReconcileJobId(id, 'call-rec-failed', 'report');
  await queue.add('reconcile', { orgId: a.admin.orgId, interviewId: id }, { jobId, attempts: 1 });
  // Failed out as the processor fails a call Vapi still reports as not ended.
  const connection = new Redis(ctx.config.redisUrl.reveal(), { maxRetriesPerRequest: null });
  t.teardown(() => connection.disconnect());
  const worker = new Worker(QUEUES.interviewReconcile, async () => {
    throw new Error('the call has not ended yet; retrying');
  }, { connection, prefix: bullPrefix(ctx.config.redisPrefix) });
  for (let i = 0; i < 200 && !(await (await queue.getJob(jobId))?.isFailed()); i++) await new Promise((r) => setTimeout(r, 50));
  await worker.close();
  t.ok(await (await queue.getJob(jobId))!.isFailed(), 'failed out');
  const out = await interviewReconcileReconciler(ctx.db, queue).run(30);
  t.equal(out.retried, 1, 'retried once');
  t.ok(await (await queue.getJob(jobId))!.isWaiting(), 'waiting again under the same id');
  t.same(await interviewReconcileReconciler(ctx.db, queue).run(30), { added: 0, retried: 0 }, 'and not again while it waits');
});
