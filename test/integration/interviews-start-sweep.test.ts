// The start sweep (migration 0024, worker/processors/interview-start.ts): a consented
// phone interview whose start job was lost (Redis down at the enqueue, a crash after the
// commit) is found once it has been due for the grace period and started again, once,
// in its own org; fresh, already called, browser-mode and declined interviews are left
// alone, and a second sweep adds no duplicate job.
import t from 'tap';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { bullPrefix, createQueue, QUEUES, type JobPayloads } from '../../server/core/queues.js';
import { createCallService } from '../../server/modules/interviews/calls.js';
import { interviewStartJobId } from '../../server/core/queue-jobs.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { createInterviewStartProcessor, START_SWEEP_JOB_NAME, sweepOverdueStarts } from '../../worker/processors/interview-start.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const startQueue = createQueue(QUEUES.interviewStart, ctx.redis, ctx.config.redisPrefix);
t.teardown(() => startQueue.close());

const calls = createCallService({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }),
  reconcile: { enqueue: async () => undefined },
  clock: () => new Date(),
  log: createLogger('silent'),
});
const sweep = { db: ctx.db, queue: startQueue };
const processor = createInterviewStartProcessor({ calls, logger: createLogger('silent'), sweep });

async function orgWithJob(): Promise<{ recruiter: Member; jobId: string; orgId: string }> {
  const admin = await createOrgWithMember(ctx, 'admin');
  const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
  const job = await createJob(ctx, recruiter, { title: 'Site Reliability Engineer', interviewQuestions: ['Tell me about an outage you handled.'] });
  await approvePlan(ctx, recruiter, job.id, ['Tell me about an outage you handled.']);
  const saved = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound' } });
  if (saved.statusCode !== 204) throw new Error(saved.body);
  return { recruiter, jobId: job.id, orgId: admin.orgId };
}

async function invited(org: { recruiter: Member; jobId: string }, answer: Record<string, unknown> | null): Promise<string> {
  const applicationId = (await uploadCv(ctx, org.recruiter, org.jobId)).json<{ applicationId: string }>().applicationId;
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: org.recruiter.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(res.body);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[before]?.text ?? '')?.[1] as string;
  if (answer) {
    const ok = await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: answer });
    if (ok.statusCode !== 200) throw new Error(ok.body);
  }
  return res.json<{ id: string }>().id;
}
const consent = { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: false };
const age = (id: string, minutes: number) => owner.query(`UPDATE interviews SET updated_at = now() - make_interval(mins => $2), next_attempt_at = NULL WHERE id = $1`, [id, minutes]);
const startJobs = async () => (await startQueue.getJobs(['wait', 'delayed', 'prioritized'])).filter((j) => j.name === 'start');

t.test('a due interview whose start job was lost is started by the sweep, once, in its own org', async (t) => {
  const a = await orgWithJob();
  const b = await orgWithJob();
  const lost = await invited(a, consent);
  const otherOrg = await invited(b, consent);
  const fresh = await invited(a, consent);
  const declined = await invited(a, { action: 'decline' });
  t.ok(await startQueue.getJob(interviewStartJobId(lost)), 'consent queued a start');
  await startQueue.obliterate({ force: true }); // Redis lost them
  t.equal(await sweepOverdueStarts(sweep), 0, 'nothing is overdue yet (grace period)');

  // One after the other: `owner` is a single pg client, which runs one query at a time.
  for (const id of [lost, otherOrg, declined]) await age(id, 10);
  t.equal(await sweepOverdueStarts(sweep), 2, 'the two overdue consented interviews');
  const jobs = await startJobs();
  t.same(
    jobs.map((j) => j.data).sort((x, y) => x.interviewId.localeCompare(y.interviewId)),
    [
      { orgId: a.orgId, interviewId: lost },
      { orgId: b.orgId, interviewId: otherOrg },
    ].sort((x, y) => x.interviewId.localeCompare(y.interviewId)),
    'each in its own org; the fresh and the declined interview are left alone',
  );
  t.ok(jobs.every((j) => j.id === interviewStartJobId(j.data.interviewId, 'due0')));
  await sweepOverdueStarts(sweep);
  t.equal((await startJobs()).length, 2, 'a second sweep adds no duplicate');

  const before = fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').length;
  for (const job of jobs) t.equal(await processor(job as Job<JobPayloads['interview-start']>), 'placed');
  t.equal(fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').length - before, 2, 'each candidate called once');
  t.equal(await processor(jobs[0] as Job<JobPayloads['interview-start']>), 'skipped', 'the same job again does nothing');
  t.equal(await sweepOverdueStarts(sweep), 0, 'called interviews are not overdue');
  t.ok(fresh);
});

t.test('the sweep runs as a repeatable job of the start queue', async (t) => {
  const out = await processor({ name: START_SWEEP_JOB_NAME, data: { orgId: '', interviewId: '' } } as Job<JobPayloads['interview-start']>);
  t.match(out, /^swept_\d+$/);
});

// A worker died after claiming the call (status 'calling', call_status 'creating', no call id).
// A sweep with a short grace (the reconciler's) offers a start inside Vapi's 2-minute create
// window: every attempt is told to retry later, so the job ends failed under its sweep id.
// Once the window has passed, the next sweep must offer a fresh job under that id (a second
// add of a failed job's id would be a no-op), and the claim is released and the call placed.
t.test('a stuck-claim start that failed inside the create window is offered again by the next sweep', async (t) => {
  await startQueue.obliterate({ force: true });
  const org = await orgWithJob();
  const id = await invited(org, consent);
  await startQueue.obliterate({ force: true }); // only the sweep's job below
  await owner.query(`UPDATE interviews SET status = 'calling', call_status = 'creating', attempts = attempts + 1, updated_at = now() - interval '60 seconds', next_attempt_at = NULL WHERE id = $1`, [id]);
  const { rows } = await owner.query<{ attempts: number }>('SELECT attempts FROM interviews WHERE id = $1', [id]);
  const jobId = interviewStartJobId(id, `due${rows[0]?.attempts ?? -1}`);

  t.equal(await sweepOverdueStarts({ ...sweep, graceSeconds: 30 }), 1, 'the short-grace sweep offers the stuck claim inside the window');
  const connection = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker(QUEUES.interviewStart, processor, { connection, prefix: bullPrefix(ctx.config.redisPrefix) });
  t.teardown(async () => {
    await worker.close();
    connection.disconnect();
  });
  // Real retries with the queue's backoff, each promoted at once instead of waited for.
  let state = '';
  for (let i = 0; i < 200 && state !== 'failed' && state !== 'completed'; i++) {
    const job = await startQueue.getJob(jobId);
    state = job ? await job.getState() : 'missing';
    if (job && state === 'delayed') await job.promote().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
  }
  const failed = await startQueue.getJob(jobId);
  t.equal(state, 'failed', 'the sweep job used up its attempts inside the create window');
  t.equal(failed?.attemptsMade, 5, 'all five attempts');
  t.match(failed?.failedReason, /on its way to Vapi/);

  await worker.pause();
  await owner.query(`UPDATE interviews SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [id]);
  const calledBefore = fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').length;
  t.equal(await sweepOverdueStarts(sweep), 1, 'still overdue: the next sweep sees it');
  const again = await startQueue.getJob(jobId);
  t.equal(again ? await again.getState() : 'missing', 'waiting', 'a fresh job under the sweep id, not the failed one');
  t.equal(again?.attemptsMade, 0);
  worker.resume();
  let done = '';
  for (let i = 0; i < 200 && done !== 'completed' && done !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    done = await startQueue.getJobState(jobId);
  }
  t.equal((await startQueue.getJob(jobId))?.returnvalue, 'placed', 'the worker releases the claim and places the call');
  t.equal(fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').length - calledBefore, 1, 'one call');
  t.equal(await sweepOverdueStarts(sweep), 0, 'no longer overdue');
});
