// Issue 19, the interview queues: a booked interview's reminders wait in Redis for up to a
// day (interview-reminder); an ended interview whose transcript is stored needs a
// score (interview-score) and its recording fetched then the call deleted at Vapi
// (recording-fetch). Both jobs are enqueued after the commit that stored the transcript,
// so a lost enqueue would leave the interview unscored and the call at Vapi for ever. The
// reconcilers (worker/reconcile.ts, migration 0053) re-offer that work from Postgres under
// the producers' job ids: not before the grace period, never doubling a live job, each
// in its own org, and no longer once the work is done.
import t from 'tap';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { interviewReminderJobId, interviewScoreJobId } from '../../server/core/queue-jobs.js';
import { RECORDING_FETCH_ATTEMPTS, recordingFetchJobId } from '../../server/core/queue-jobs.js';
import { interviewReminderReconciler, interviewScoreReconciler, recordingFetchReconciler } from '../../worker/reconcile.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const scoreQueue = createQueue(QUEUES.interviewScore, ctx.redis, ctx.config.redisPrefix);
const fetchQueue = createQueue(QUEUES.recordingFetch, ctx.redis, ctx.config.redisPrefix);
const reminderQueue = createQueue(QUEUES.interviewReminder, ctx.redis, ctx.config.redisPrefix);
t.teardown(async () => {
  await reminderQueue.close();
  await scoreQueue.close();
  await fetchQueue.close();
});

async function org(): Promise<{ admin: Member; jobId: string }> {
  const admin = await createOrgWithMember(ctx, 'admin');
  const job = await createJob(ctx, admin, { title: 'Support Engineer', interviewQuestions: ['How do you calm an angry customer?'] });
  await approvePlan(ctx, admin, job.id, ['How do you calm an angry customer?']);
  return { admin, jobId: job.id };
}

/** An interview that ended a minute ago with its transcript stored, as the report or GET /call leaves it. */
async function endedInterview(o: { admin: Member; jobId: string }, callId: string): Promise<string> {
  const applicationId = (await uploadCv(ctx, o.admin, o.jobId)).json<{ applicationId: string }>().applicationId;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: o.admin.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(res.body);
  const id = res.json<{ id: string }>().id;
  await owner.query(
    `UPDATE interviews SET status = 'ended', call_status = 'ended', vapi_call_id = $2, transcript_enc = '\\x01'::bytea,
       reconciled_at = now() - interval '1 minute', updated_at = now() - interval '1 minute' WHERE id = $1`,
    [id, callId],
  );
  return id;
}

const offered = async (queue: typeof scoreQueue | typeof fetchQueue): Promise<{ id: string | undefined; data: unknown }[]> =>
  (await queue.getJobs(['wait', 'delayed', 'prioritized'])).map((j) => ({ id: j.id, data: j.data }));

t.test('interview-score: an ended, transcribed interview without a score is re-offered; live and finished ones are not', async (t) => {
  const a = await org();
  const b = await org();
  const lost = await endedInterview(a, 'call-score-lost');
  const otherOrg = await endedInterview(b, 'call-score-other');
  const live = await endedInterview(a, 'call-score-live');
  const scored = await endedInterview(a, 'call-score-done');
  await owner.query(`INSERT INTO interview_scores (org_id, interview_id, status, completed_at) VALUES ($1, $2, 'completed', now())`, [a.admin.orgId, scored]);
  await scoreQueue.add('score', { orgId: a.admin.orgId, interviewId: live }, { jobId: interviewScoreJobId(live), delay: 60_000 });
  const reconciler = interviewScoreReconciler(ctx.db, scoreQueue);

  t.same(await reconciler.run(3600), { added: 0, retried: 0 }, 'nothing younger than the grace period');
  const out = await reconciler.run(30);
  t.equal(out.added, 2, 'the two lost scores (both orgs)');
  const jobs = await offered(scoreQueue);
  t.same(jobs.find((j) => j.id === interviewScoreJobId(lost))?.data, { orgId: a.admin.orgId, interviewId: lost }, 'under the producer id, ids only');
  t.same(jobs.find((j) => j.id === interviewScoreJobId(otherOrg))?.data, { orgId: b.admin.orgId, interviewId: otherOrg }, 'in its own org');
  t.equal(jobs.filter((j) => j.id === interviewScoreJobId(live)).length, 1, 'the live job is not doubled');
  t.notOk(jobs.some((j) => j.id === interviewScoreJobId(scored)), 'a completed score is not offered');
  t.same(await reconciler.run(30), { added: 0, retried: 0 }, 'a second pass adds nothing');

  // A score left pending (its job lost mid-run) is offered again once it is older than the grace period.
  for (const j of await scoreQueue.getJobs(['wait', 'delayed', 'prioritized'])) await j.remove();
  await owner.query(`UPDATE interview_scores SET status = 'pending', completed_at = NULL, updated_at = now() - interval '1 minute' WHERE interview_id = $1`, [scored]);
  await reconciler.run(30);
  t.ok((await offered(scoreQueue)).some((j) => j.id === interviewScoreJobId(scored)), 'a stale pending score is re-offered');
});

t.test('recording-fetch: a reconciled interview whose call was neither fetched nor queued for deletion is re-offered', async (t) => {
  const a = await org();
  const lost = await endedInterview(a, 'call-rec-lost');
  const done = await endedInterview(a, 'call-rec-done');
  const fresh = await endedInterview(a, 'call-rec-fresh');
  await owner.query(`INSERT INTO vapi_call_deletions (org_id, call_id, reason) VALUES ($1, 'call-rec-done', 'recording_stored')`, [a.admin.orgId]);
  await owner.query(`UPDATE interviews SET reconciled_at = now() WHERE id = $1`, [fresh]);
  const reconciler = recordingFetchReconciler(ctx.db, fetchQueue);

  // The first test's interviews (no deletion rows either) are offered too; only this org's three are looked at.
  const ours = new Set([lost, done, fresh].map(recordingFetchJobId));
  const out = await reconciler.run(30);
  t.ok(out.added >= 1, 'the lost fetch is added');
  const jobs = (await fetchQueue.getJobs(['wait', 'delayed', 'prioritized'])).filter((j) => ours.has(j.id as string));
  t.same(jobs.map((j) => j.id), [recordingFetchJobId(lost)], 'only the lost fetch: not the one done, not the one just reconciled');
  t.same(jobs[0]?.data, { orgId: a.admin.orgId, interviewId: lost });
  t.equal(jobs[0]?.opts.attempts, RECORDING_FETCH_ATTEMPTS, 'with the producer\'s retries');
  t.same(await reconciler.run(30), { added: 0, retried: 0 }, 'the queued job is not doubled');
  t.ok(done && fresh);

  // Done: the fetch recorded the call's deletion; nothing is offered any more.
  await jobs[0]?.remove();
  await owner.query(`INSERT INTO vapi_call_deletions (org_id, call_id, reason) VALUES ($1, 'call-rec-lost', 'no_recording')`, [a.admin.orgId]);
  await reconciler.run(30);
  t.notOk((await fetchQueue.getJobs(['wait', 'delayed', 'prioritized'])).some((j) => j.id === recordingFetchJobId(lost)), 'done work is not offered again');
});

t.test('interview-reminder: unsent reminders of a booked interview are re-added for their time; sent, unintended and too late ones are not', async (t) => {
  const a = await org();
  const b = await org();
  const invited = async (o: { admin: Member; jobId: string }): Promise<{ id: string; applicationId: string }> => {
    const applicationId = (await uploadCv(ctx, o.admin, o.jobId)).json<{ applicationId: string }>().applicationId;
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: o.admin.headers, payload: {} });
    if (res.statusCode !== 201) throw new Error(res.body);
    return { id: res.json<{ id: string }>().id, applicationId };
  };
  /** Booked `bookedMinutesAgo` for a slot `slotMinutes` ahead (as the scheduling commit leaves it). */
  const book = (id: string, slotMinutes: number, bookedMinutesAgo: number, version = 1) =>
    owner.query(
      `UPDATE interviews SET status = 'scheduled', attempts = 0, schedule_version = $4, scheduled_for = now() + make_interval(mins => $2), updated_at = now() - make_interval(mins => $3) WHERE id = $1`,
      [id, slotMinutes, bookedMinutesAgo, version],
    );
  const twoDays = await invited(a);
  await book(twoDays.id, 48 * 60, 1);
  const otherOrg = await invited(b);
  await book(otherOrg.id, 48 * 60, 1);
  const bookedLate = await invited(a); // booked 2 h ahead: only the 1 h reminder was ever meant
  await book(bookedLate.id, 120, 1);
  const justDue = await invited(a); // the 1 h reminder's time passed 5 minutes ago (Redis lost it)
  await book(justDue.id, 55, 180);
  const tooLate = await invited(a); // passed 30 minutes ago: a late "in one hour" mail would mislead
  await book(tooLate.id, 30, 180);
  const sent = await invited(a);
  await book(sent.id, 48 * 60, 1, 3);
  await owner.query(`INSERT INTO application_events (org_id, application_id, type, actor_type, data) VALUES ($1, $2, 'interview.reminder_sent', 'system', $3)`, [a.admin.orgId, sent.applicationId, { interviewId: sent.id, kind: '24h', version: 3 }]);
  await reminderQueue.add('remind', { orgId: a.admin.orgId, interviewId: twoDays.id, kind: '1h', version: 1 }, { jobId: interviewReminderJobId(twoDays.id, '1h', 1), delay: 47 * 3600_000 });

  const started = Date.now();
  const out = await interviewReminderReconciler(ctx.db, reminderQueue).run(0);
  const jobs = new Map((await reminderQueue.getJobs(['wait', 'delayed', 'prioritized'])).map((j) => [j.id as string, j]));
  const ours = [twoDays, otherOrg, bookedLate, justDue, tooLate, sent].map((x) => x.id);
  const offered = [...jobs.values()].filter((j) => ours.includes(j.data.interviewId)).map((j) => j.id as string).sort();
  t.same(
    offered,
    [
      interviewReminderJobId(twoDays.id, '24h', 1),
      interviewReminderJobId(twoDays.id, '1h', 1),
      interviewReminderJobId(otherOrg.id, '24h', 1),
      interviewReminderJobId(otherOrg.id, '1h', 1),
      interviewReminderJobId(bookedLate.id, '1h', 1),
      interviewReminderJobId(justDue.id, '1h', 1),
      interviewReminderJobId(sent.id, '1h', 3),
    ].sort(),
    'the unsent, intended, not too late reminders, under the producer ids and the current version',
  );
  t.equal(out.added, 6, 'six added; the live 1 h job of the first interview is not doubled');
  const day = jobs.get(interviewReminderJobId(twoDays.id, '24h', 1));
  t.same(day?.data, { orgId: a.admin.orgId, interviewId: twoDays.id, kind: '24h', version: 1 });
  t.ok(Math.abs((day?.opts.delay ?? 0) - 24 * 3600_000) < 120_000 + (Date.now() - started), 'delayed until 24 h before the slot');
  t.equal(jobs.get(interviewReminderJobId(justDue.id, '1h', 1))?.opts.delay, 0, 'a just-missed reminder goes now');
  t.same(jobs.get(interviewReminderJobId(otherOrg.id, '24h', 1))?.data.orgId, b.admin.orgId, 'in its own org');
  t.same(await interviewReminderReconciler(ctx.db, reminderQueue).run(0), { added: 0, retried: 0 }, 'a second pass adds nothing');
});
