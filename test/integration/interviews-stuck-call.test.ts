// An interview stuck in 'calling' (issue 19): the worker claimed it ('calling'/'creating'),
// Vapi accepted POST /call, and the worker died before it stored the call id. The start
// (re-run by BullMQ, or re-offered by the start sweep, migration 0053) asks Vapi for the
// calls of the org's number (GET /call, the SDK's calls.list against the fake's list
// endpoint) and adopts the one carrying this interview and attempt in its metadata: no
// second call. Without such a call, the claim is released only once no POST can still be
// in flight, and the candidate is then called once. Calls of another interview or org on
// the same number are never adopted. The real SIGKILL replay runs in the fault suite.
import t from 'tap';
import type { Job } from 'bullmq';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES, type JobPayloads } from '../../server/core/queues.js';
import { callOverrides, createCallService } from '../../server/modules/interviews/calls.js';
import { findInterview } from '../../server/modules/interviews/repo.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { createInterviewStartProcessor, sweepOverdueStarts } from '../../worker/processors/interview-start.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const startQueue = createQueue(QUEUES.interviewStart, ctx.redis, ctx.config.redisPrefix);
t.teardown(() => startQueue.close());
const vapi = createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 });
const reconciles: string[] = [];
let now = Date.now();
const calls = createCallService({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  vapi,
  reconcile: { enqueue: async (_orgId, interviewId) => void reconciles.push(interviewId) },
  clock: () => new Date(now),
  log: createLogger('silent'),
});
const processor = createInterviewStartProcessor({ calls, logger: createLogger('silent'), sweep: { db: ctx.db, queue: startQueue } });
const run = (orgId: string, interviewId: string): Promise<string> => processor({ name: 'start', data: { orgId, interviewId } } as Job<JobPayloads['interview-start']>);
const posts = (): number => fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').length;
const lists = (): number => fake.requests.filter((r) => r.method === 'GET' && r.path === '/call').length;
const consent = { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: false };

async function orgWithJob(): Promise<{ recruiter: Member; jobId: string; orgId: string }> {
  const admin = await createOrgWithMember(ctx, 'admin');
  const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
  const job = await createJob(ctx, recruiter, { title: 'Platform Engineer', interviewQuestions: ['Tell me about an outage you handled.'] });
  const saved = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_shared' } });
  if (saved.statusCode !== 204) throw new Error(saved.body);
  await approvePlan(ctx, admin, job.id, ['Tell me about an outage you handled.']);
  return { recruiter, jobId: job.id, orgId: admin.orgId };
}

async function consented(org: { recruiter: Member; jobId: string }): Promise<string> {
  const applicationId = (await uploadCv(ctx, org.recruiter, org.jobId)).json<{ applicationId: string }>().applicationId;
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: org.recruiter.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(res.body);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[before]?.text ?? '')?.[1] as string;
  const ok = await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: consent });
  if (ok.statusCode !== 200) throw new Error(ok.body);
  return res.json<{ id: string }>().id;
}

/** What a worker killed after Vapi accepted leaves behind: the claim, and a call at Vapi it never stored. */
async function crashAfterAccept(orgId: string, interviewId: string, placeCall = true): Promise<string | null> {
  const row = await ctx.db.withTenant(orgId, (q) => findInterview(q, interviewId));
  if (!row) throw new Error('no interview');
  await owner.query(`UPDATE interviews SET status = 'calling', call_status = 'creating', attempts = attempts + 1, updated_at = now() WHERE id = $1`, [interviewId]);
  if (!placeCall) return null;
  const res = await fetch(`${fake.url}/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ phoneNumberId: 'pn_shared', customer: { number: '+442079460958' }, assistantId: 'asst_interviewer', assistantOverrides: callOverrides(orgId, row, row.attempts + 1) }),
  });
  return ((await res.json()) as { id: string }).id;
}

const state = async (id: string) =>
  (await owner.query<{ status: string; call_status: string | null; vapi_call_id: string | null; attempts: number }>('SELECT status, call_status, vapi_call_id, attempts FROM interviews WHERE id = $1', [id])).rows[0];

t.test('the call Vapi accepted before the worker died is adopted, not placed again', async (t) => {
  const org = await orgWithJob();
  const other = await orgWithJob();
  const id = await consented(org);
  const neighbour = await consented(org);
  const foreign = await consented(other);
  // Calls of another interview of the org and of another org, on the same number, after the claim.
  await crashAfterAccept(org.orgId, neighbour);
  await crashAfterAccept(other.orgId, foreign);
  const callId = await crashAfterAccept(org.orgId, id);
  t.same(await state(id), { status: 'calling', call_status: 'creating', vapi_call_id: null, attempts: 1 }, 'stuck as the crash left it');

  const before = posts();
  const listed = lists();
  t.equal(await run(org.orgId, id), 'adopted');
  t.equal(posts() - before, 0, 'no second POST /call');
  t.equal(lists() - listed, 1, 'asked Vapi once (GET /call)');
  const listReq = fake.requests.filter((r) => r.method === 'GET' && r.path === '/call').at(-1);
  t.equal(listReq?.query.phoneNumberId, 'pn_shared', 'listed by the org\'s number');
  const since = Date.parse(listReq?.query.createdAtGt ?? '');
  t.ok(since > Date.now() - 5 * 60_000 && since < Date.now(), `created after the claim less a minute of skew (createdAtGt ${listReq?.query.createdAtGt})`);
  t.equal(listReq?.query.limit, '100');
  t.same(await state(id), { status: 'calling', call_status: 'queued', vapi_call_id: callId, attempts: 1 }, 'the interview holds the adopted call');
  t.same(reconciles.filter((r) => r === id).length, 1, 'the safety-net reconcile is queued');
  const events = await owner.query<{ data: { adopted?: boolean } }>(`SELECT data FROM application_events WHERE type = 'interview.call_started' AND data->>'interviewId' = $1`, [id]);
  t.same(events.rows.map((r) => r.data.adopted), [true], 'the timeline says the call was adopted');
  const recorded = await owner.query<{ call_id: string; attempt: number }>('SELECT call_id, attempt FROM interview_calls WHERE interview_id = $1', [id]);
  t.same(recorded.rows, [{ call_id: callId, attempt: 1 }]);

  t.equal(await run(org.orgId, id), 'skipped', 'the same start again does nothing');
  t.equal(posts() - before, 0);
  // The neighbour adopts its own call, not the one just adopted; the other org's call stays with it.
  t.equal(await run(org.orgId, neighbour), 'adopted');
  t.not((await state(neighbour))?.vapi_call_id, callId);
  t.equal(await run(other.orgId, foreign), 'adopted');
  const ids = new Set([(await state(id))?.vapi_call_id, (await state(neighbour))?.vapi_call_id, (await state(foreign))?.vapi_call_id]);
  t.equal(ids.size, 3, 'three interviews, three distinct calls');
});

t.test('no call at Vapi: the claim waits out the create window, then the candidate is called once', async (t) => {
  const org = await orgWithJob();
  const id = await consented(org);
  await crashAfterAccept(org.orgId, id, false);
  const before = posts();
  await t.rejects(run(org.orgId, id), /may still be on its way/, 'a POST may still be in flight: retry later');
  t.equal(posts() - before, 0);
  t.equal((await state(id))?.status, 'calling');
  now += 3 * 60_000;
  t.equal(await run(org.orgId, id), 'placed', 'released and called');
  now = Date.now();
  t.equal(posts() - before, 1, 'exactly one call');
  const s = await state(id);
  t.equal(s?.status, 'calling');
  t.equal(s?.attempts, 1, 'the released claim does not use up an attempt');
  t.ok(s?.vapi_call_id);
  t.equal(fake.calls.get(s?.vapi_call_id as string)?.assistantOverrides?.metadata?.attempt, 1, 'the call carries its attempt');
});

t.test('the start sweep re-offers a stuck claim once it is older than the grace period', async (t) => {
  const org = await orgWithJob();
  const id = await consented(org);
  const callId = await crashAfterAccept(org.orgId, id);
  await startQueue.obliterate({ force: true }); // Redis lost the start job as well
  const offered = async (): Promise<string[]> => (await startQueue.getJobs(['wait', 'delayed', 'prioritized'])).filter((j) => j.name === 'start').map((j) => j.data.interviewId);
  await sweepOverdueStarts({ db: ctx.db, queue: startQueue, graceSeconds: 300 });
  t.notOk((await offered()).includes(id), 'a fresh claim is left alone (its worker may be alive)');
  await owner.query(`UPDATE interviews SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [id]);
  await sweepOverdueStarts({ db: ctx.db, queue: startQueue, graceSeconds: 300 });
  t.ok((await offered()).includes(id), 'the stuck claim is offered');
  const before = posts();
  t.equal(await run(org.orgId, id), 'adopted');
  t.equal(posts() - before, 0);
  t.equal((await state(id))?.vapi_call_id, callId);
});
