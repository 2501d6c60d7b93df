// The provider circuit breaker in the real pipeline: the fake OpenAI server fails (500s
// and a timeout), the breaker opens, queued screenings wait in BullMQ without failing or
// using attempts and without charging tokens, GET /api/v1/ai/status shows it; the fake
// recovers, the breaker half-opens, one probe closes it and every screening completes,
// charged once. A CV's screening call and injection check go out together as one breaker
// call (one failure during an outage; refused together without a request or an attempt).
// Plus the status endpoint's access rules, and interview scoring waiting on the same breaker.
import t from 'tap';
import { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';
import { buildTestApp, createOrgWithMember } from '../helper.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { isInjectionCheck, startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { createCircuitBreaker, CircuitOpenError } from '../../server/core/circuit-breaker.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { createOpenAiProvider } from '../../server/modules/model-providers/openai.js';
import { simulateScreening } from '../../server/modules/model-providers/simulated.js';
import { withCircuitBreaker } from '../../server/modules/model-providers/breaker.js';
import { createScreeningRunner } from '../../server/modules/screening/service.js';
import { createCvScreenProcessor } from '../../worker/processors/cv-screen.js';
import { createInterviewScoreProcessor } from '../../worker/processors/interview-score.js';
import type { InterviewScorer } from '../../server/modules/interviews/score.js';
import { startWorkers } from '../../worker/worker.js';

const ctx = await buildTestApp(t);
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const fake = await startFakeOpenAI();
t.teardown(async () => {
  await fake.close();
  redis.disconnect();
});
const grounded = (body: ChatRequestBody): string => JSON.stringify(simulateScreening(body.messages[1]?.content ?? ''));
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const auditor = await createOrgWithMember(ctx, 'auditor', admin.orgId);
const other = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin);
const logger = createLogger('silent');
// No retries inside the provider: each failing job is one breaker failure, quickly.
const openai = createOpenAiProvider({ apiKey: 'sk-test-fake', baseUrl: fake.baseUrl, timeoutMs: 700, maxRetries: 0 });
const breaker = createCircuitBreaker({ name: 'openai', redis, prefix: ctx.services.redisPrefix, failureThreshold: 3, openMs: 4_000, probeTtlMs: 10_000, logger });
const CV = (i: number): string => `Candidate ${i}\n\n${i + 3} years of TypeScript services\nDesigned Postgres schemas for billing`;

async function until<T>(fn: () => Promise<T | null | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
interface StatusBody {
  paused: boolean;
  pausedReason: string | null;
  providers: { name: string; state: string; message: string; retryAt: string | null; lastFailureCode: string | null; history: { from: string; to: string; reason: string }[] }[];
}
const status = (headers: Record<string, string>, url = '/api/v1/ai/status') => ctx.app.inject({ method: 'GET', url, headers });
const openaiStatus = async (): Promise<StatusBody['providers'][number] | undefined> => (await status(admin.headers)).json<StatusBody>().providers.find((p) => p.name === 'openai');

t.test('provider outage: breaker opens, screenings wait (none failed, nothing charged), then the breaker closes and all complete', async (t) => {
  const queue = createQueue(QUEUES.cvScreen, redis, ctx.services.redisPrefix);
  t.teardown(() => queue.close());
  fake.reset();
  fake.script({ kind: 'hang' }); // one timeout among the failures
  fake.setFallback({ kind: 'status', status: 500 });
  const running = await startWorkers({
    db: ctx.db,
    audit: ctx.audit,
    logger,
    connection: redis,
    redisPrefix: ctx.services.redisPrefix,
    auditCheckpointEveryMs: 3_600_000,
    masterKey: ctx.config.masterKey.reveal(),
    screening: { provider: openai, defaultModel: 'gpt-test', redis, breaker },
  });
  t.teardown(() => running.close());

  const apps: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    const res = await uploadCv(ctx, admin, job.id, { name: `Cand ${i}`, email: `cand${i}.breaker@example.test` }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(CV(i)) });
    t.equal(res.statusCode, 201, res.body);
    apps.push(res.json<{ applicationId: string }>().applicationId);
  }

  // Parsing may still be enqueueing the last screenings (slowly on a loaded box, while
  // probes keep failing): wait until all six are queued, then for an open period with time left.
  await until(async () => {
    const c = await queue.getJobCounts();
    return Object.values(c).reduce((a, b) => a + b, 0) >= 6 ? true : null;
  });
  await until(async () => {
    const b = await breaker.status();
    return b.state === 'open' && b.retryAt - Date.now() >= 2_000 ? true : null;
  });
  const open = await openaiStatus();
  t.equal(open?.state, 'open', 'GET /api/v1/ai/status shows the open breaker');
  t.match(open?.message, /waits and resumes automatically/);
  t.ok(open?.retryAt);
  t.match(open?.lastFailureCode, /^(http_500|timeout)$/);

  // While open: no calls reach the provider, and the work sits in the queue.
  const callsAtOpen = fake.requests.length;
  await new Promise((r) => setTimeout(r, 1_000));
  t.equal(fake.requests.length, callsAtOpen, 'no provider calls while the breaker is open');
  const counts = await queue.getJobCounts('failed', 'completed', 'delayed', 'wait', 'active');
  t.equal(counts.failed, 0, 'no job failed');
  t.equal(counts.completed, 0);
  t.equal((counts.delayed ?? 0) + (counts.wait ?? 0) + (counts.active ?? 0), 6, 'all six jobs are still queued');
  const midStatuses = await ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ status: string }>("SELECT status FROM screenings WHERE status IN ('failed','completed')")).rows);
  t.equal(midStatuses.length, 0, 'no screening marked failed');
  const usage0 = await ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ runs: number }>('SELECT coalesce(sum(runs),0)::int AS runs FROM ai_usage')).rows[0]?.runs);
  t.equal(usage0, 0, 'nothing charged');

  // The provider recovers.
  fake.setFallback({ kind: 'valid', content: grounded });
  const done = await until(async () => {
    const rows = await ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ application_id: string; status: string }>('SELECT application_id, status FROM screenings WHERE application_id = ANY($1::uuid[])', [apps])).rows);
    return rows.length === 6 && rows.every((r) => r.status === 'completed') ? rows : null;
  });
  t.equal(done.length, 6, 'every screening completed after the outage');
  const closed = await openaiStatus();
  t.equal(closed?.state, 'closed');
  t.same(
    closed?.history.slice(0, 2).map((h) => `${h.from}->${h.to}`),
    ['half_open->closed', 'open->half_open'],
    'the transitions are visible, most recent first',
  );
  t.ok(
    closed?.history.filter((h) => h.to === 'open').every((h) => (h.from === 'closed' && h.reason === 'consecutive_failures') || (h.from === 'half_open' && h.reason === 'probe_failed')),
    'it opened on consecutive failures and re-opened only on failed probes',
  );
  const usage = await ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ runs: number }>('SELECT coalesce(sum(runs),0)::int AS runs FROM ai_usage')).rows[0]?.runs);
  t.equal(usage, 12, 'each screening charged exactly once: its screening call and its injection check');
  const failed = await queue.getJobCounts('failed');
  t.equal(failed.failed, 0, 'no job ended failed');
  const jobs = await queue.getJobs(['completed']);
  // attemptsMade counts the successful run too; extra attempts come only from failures
  // while the breaker was still closed (at most threshold - 1 of them), none from waiting.
  const extra = jobs.reduce((sum, j) => sum + j.attemptsMade - 1, 0);
  t.ok(extra <= 2, `attempts used by failures before the breaker opened: ${extra}`);
});

t.test('a CV\'s screening call and injection check are one breaker call: during an outage the pair counts as one failure, and a pair refused by the open breaker sends nothing and spends no attempt', async (t) => {
  // The concurrent pair once took a permit per request: one failing CV counted twice toward
  // opening, and a check refused by the open breaker turned a wait into a spent attempt.
  fake.reset();
  fake.setFallback({ kind: 'status', status: 500 });
  fake.setCheckFallback({ kind: 'status', status: 500 });
  // Its own breaker (own Redis keys), so the counts below are this test's alone.
  const pairBreaker = createCircuitBreaker({ name: 'openai-pair', redis, prefix: ctx.services.redisPrefix, failureThreshold: 2, openMs: 60_000, logger });
  const runner = createScreeningRunner({ db: ctx.db, audit: ctx.audit, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), provider: withCircuitBreaker(openai, pairBreaker), defaultModel: 'gpt-test', logger });
  const processor = createCvScreenProcessor({ runner, redis, redisPrefix: ctx.services.redisPrefix, logger, breaker: pairBreaker });
  const parse = parser(ctx);
  const apps: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const res = await uploadCv(ctx, admin, job.id, { name: `Pair ${i}`, email: `pair${i}.breaker@example.test` }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(CV(i)) });
    t.equal(res.statusCode, 201, res.body);
    const { applicationId, documentId } = res.json<{ applicationId: string; documentId: string }>();
    t.match(await parse(admin.orgId, documentId), { status: 'parsed' });
    apps.push(applicationId);
  }
  const cvJob = (applicationId: string) => {
    const state = { delayedUntil: 0 };
    const j = { id: `pair-${applicationId}`, data: { orgId: admin.orgId, applicationId }, attemptsMade: 0, opts: { attempts: 5 }, moveToDelayed: async (ts: number) => void (state.delayedUntil = ts) } as unknown as Job<{ orgId: string; applicationId: string }>;
    return { job: j, state };
  };
  const runsOf = (applicationId: string) =>
    ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ purpose: string; outcome: string }>('SELECT r.purpose, r.outcome FROM ai_runs r JOIN screenings s ON s.id = r.screening_id WHERE s.application_id = $1 ORDER BY r.purpose', [applicationId])).rows);

  // 1. Both requests of the pair fail (500): one breaker call, one failure; the job uses an attempt as any provider failure would.
  await t.rejects(processor(cvJob(apps[0] as string).job, 'tok'), { name: 'ProviderError', code: 'http_500' });
  t.equal(fake.requests.length, 2, 'the screening call and the check both went out');
  t.equal(fake.requests.filter((r) => isInjectionCheck(r.body)).length, 1);
  let snap = await pairBreaker.snapshot();
  t.equal(snap.state, 'closed');
  t.equal(snap.consecutiveFailures, 1, 'the failing pair counts as ONE breaker failure');
  t.same(snap.window, { calls: 1, failures: 1, startedAt: snap.window.startedAt }, 'and one call in the ratio window');
  t.same(await runsOf(apps[0] as string), [
    { purpose: 'cv_screening', outcome: 'provider_error' },
    { purpose: 'injection_check', outcome: 'provider_error' },
  ], 'both runs that happened are recorded');

  // 2. A second failing pair reaches the threshold of 2 and opens the breaker; the job waits instead of using an attempt.
  const second = cvJob(apps[1] as string);
  await t.rejects(processor(second.job, 'tok'), DelayedError);
  snap = await pairBreaker.snapshot();
  t.equal(snap.state, 'open', 'two failing pairs (not one) opened it');
  t.equal(snap.window.failures, 2);
  t.match(snap.history[0], { from: 'closed', to: 'open', reason: 'consecutive_failures' });
  t.ok(second.state.delayedUntil > Date.now(), 'the job is delayed, not retried');

  // 3. A pair refused by the open breaker: neither request goes out, nothing is recorded or
  // charged, and the job is re-delayed (DelayedError spends no attempt). The processor here has
  // no breaker pre-check, so the refusal comes from the pair's own permit.
  const direct = createCvScreenProcessor({ runner, redis, redisPrefix: ctx.services.redisPrefix, logger });
  const sent = fake.requests.length;
  const third = cvJob(apps[2] as string);
  await t.rejects(direct(third.job, 'tok'), DelayedError, 'a refused pair re-delays the job');
  t.equal(fake.requests.length, sent, 'no provider request for a refused pair');
  t.ok(third.state.delayedUntil >= Date.parse(snap.retryAt ?? '') - 1, 'delayed to the end of the cool-down');
  t.same(await runsOf(apps[2] as string), [], 'no run recorded');
  const s3 = await ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ status: string; input_tokens: number }>('SELECT status, input_tokens FROM screenings WHERE application_id = $1', [apps[2]])).rows[0]);
  t.match(s3, { status: 'pending', input_tokens: 0 }, 'the screening is neither failed nor charged');
  t.equal((await pairBreaker.snapshot()).window.failures, 2, 'the refusal counts nothing');
});

t.test('interview scoring waits on the same breaker: a refused call re-delays the job without using an attempt', async (t) => {
  let delayedTo = 0;
  const jobStub = { id: 'iv-1', data: { orgId: admin.orgId, interviewId: '00000000-0000-4000-8000-000000000001' }, opts: { attempts: 5 }, attemptsMade: 0, moveToDelayed: async (ts: number) => void (delayedTo = ts) } as unknown as Job<{ orgId: string; interviewId: string }>;
  let marked = '';
  const scorer = {
    score: async () => {
      throw new CircuitOpenError('openai', 'open', Date.now() + 3_000);
    },
    markProviderFailure: async (_o: string, _i: string, reason: string) => void (marked = reason),
  } as unknown as InterviewScorer;
  const proc = createInterviewScoreProcessor({ scorer, logger, breaker });
  const started = Date.now();
  await t.rejects(proc(jobStub, 'tok'), DelayedError);
  t.ok(delayedTo >= started + 2_900 && delayedTo <= started + 3_000 + 5_000 + 100, 'delayed to the end of the cool-down plus jitter');
  t.equal(marked, '', 'not marked failed');
});

t.test('GET /api/v1/ai/status: members with applications:read only, no or malformed session 401, pause state is per org whatever the query says', async (t) => {
  t.equal((await status({})).statusCode, 401, 'no session');
  t.equal((await status({ ...admin.headers, cookie: `${admin.cookie.split('=')[0]}=${'%'.repeat(300)}` })).statusCode, 401, 'malformed session cookie');
  t.equal((await status(auditor.headers)).statusCode, 403, 'auditor lacks applications:read');
  t.equal((await status(recruiter.headers)).statusCode, 200);
  const p = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: admin.headers, payload: { paused: true, pausedReason: 'audit week' } });
  t.equal(p.statusCode, 200);
  const mine = (await status(recruiter.headers)).json<StatusBody>();
  t.equal(mine.paused, true);
  t.equal(mine.pausedReason, 'audit week');
  const theirs = (await status(other.headers)).json<StatusBody>();
  t.equal(theirs.paused, false, "another org does not see this org's pause");
  t.equal(theirs.pausedReason, null);
  const probing = await status(other.headers, `/api/v1/ai/status?orgId=${admin.orgId}&x=${'a'.repeat(4000)}`);
  t.equal(probing.statusCode, 200, 'unknown and oversized query parameters are dropped, not used');
  t.equal(probing.json<StatusBody>().paused, false, "naming another org in the query does not show that org's state");
  t.same(theirs.providers.map((x) => x.name), ['openai', 'vapi']);
});
