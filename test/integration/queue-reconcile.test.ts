// Issue 19: accepted work never depends on Redis surviving. CVs accepted while their
// enqueue failed, or whose jobs Redis lost, are parsed and screened once the worker's
// reconciler runs; a live job is never doubled; a failed-out job gets one final attempt;
// job schedules come back after Redis lost them.
import t from 'tap';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { alertDeliverJobId, cvParseJobId, cvScreenJobId } from '../../server/core/queue-jobs.js';
import { createSimulatedProvider } from '../../server/modules/model-providers/simulated.js';
import { alertDeliverReconciler, cvParseReconciler, cvScreenReconciler, reconcileJobs } from '../../worker/reconcile.js';
import { randomUUID } from 'node:crypto';
import { startWorkers } from '../../worker/worker.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { deleteRedisPrefix } from '../support/services.js';
import { until } from '../support/until.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
t.teardown(() => redis.disconnect());
const admin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin);
const parseQueue = createQueue(QUEUES.cvParse, redis, ctx.services.redisPrefix);
const screenQueue = createQueue(QUEUES.cvScreen, redis, ctx.services.redisPrefix);
t.teardown(async () => {
  await parseQueue.close();
  await screenQueue.close();
});
const CV = { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from('Jane Doe\n\n6 years of TypeScript services\nDesigned Postgres schemas') };

async function apply(email: string): Promise<{ applicationId: string; documentId: string }> {
  const res = await uploadCv(ctx, admin, job.id, { name: 'Jane Doe', email }, { ...CV, data: Buffer.concat([CV.data, Buffer.from(`\n${email}`)]) });
  if (res.statusCode !== 201) throw new Error(res.body);
  const { applicationId } = res.json<{ applicationId: string }>();
  const { rows } = await owner.query<{ id: string }>('SELECT id FROM documents WHERE application_id = $1', [applicationId]);
  return { applicationId, documentId: (rows[0] as { id: string }).id };
}

t.test('cv-parse: a pending document without a job is re-offered; a live job is left alone', async (t) => {
  const { documentId } = await apply('live.job@example.test');
  const reconciler = cvParseReconciler(ctx.db, parseQueue);
  t.ok(await parseQueue.getJob(cvParseJobId(documentId)), 'the app queued the parse');
  t.same(await reconciler.run(0), { added: 0, retried: 0 }, 'a queued job is not doubled');
  await (await parseQueue.getJob(cvParseJobId(documentId)))?.remove();
  t.same(await reconciler.run(3600), { added: 0, retried: 0 }, 'nothing younger than the grace period is touched');
  const out = await reconciler.run(0);
  t.ok(out.added >= 1, 'the lost job is added again');
  const again = await parseQueue.getJob(cvParseJobId(documentId));
  t.same(again?.data, { orgId: admin.orgId, documentId }, 'under its deterministic id, with ids only');
  await again?.remove();
});

t.test('a failed-out job gets one more attempt, counted as its last', async (t) => {
  const queue = createQueue(QUEUES.alertDeliver, redis, ctx.services.redisPrefix);
  t.teardown(() => queue.close());
  await queue.add('deliver', { orgId: admin.orgId, alertId: 'a1' }, { jobId: 'reconcile-failed-probe', attempts: 1 });
  const failing = new (await import('bullmq')).Worker(QUEUES.alertDeliver, async () => { throw new Error('boom'); }, { connection: redis, prefix: `${ctx.services.redisPrefix}:bull` });
  await until('the job to fail out', async () => (await queue.getJob('reconcile-failed-probe'))?.isFailed());
  await failing.close();
  const out = await reconcileJobs(queue, [{ name: 'deliver', data: { orgId: admin.orgId, alertId: 'a1' }, jobId: 'reconcile-failed-probe' }]);
  t.same(out, { added: 0, retried: 1 });
  const job = await queue.getJob('reconcile-failed-probe');
  t.equal(await job?.getState(), 'waiting', 'back in the queue');
  t.ok((job?.attemptsMade ?? 0) >= 1, 'with its attempts still spent (the processor treats the run as the last)');
  await job?.remove();
});

t.test('cv-screen: a parsed CV without a screening is re-offered under the producer id', async (t) => {
  const { applicationId, documentId } = await apply('unscreened@example.test');
  await (await parseQueue.getJob(cvParseJobId(documentId)))?.remove();
  // Parsed without the onParsed hook: as if the cv-screen enqueue was lost.
  await parser(ctx)(admin.orgId, documentId);
  const out = await cvScreenReconciler(ctx.db, screenQueue).run(0);
  t.ok(out.added >= 1);
  const queued = await screenQueue.getJob(cvScreenJobId(applicationId, documentId));
  t.same(queued?.data, { orgId: admin.orgId, applicationId });
  await queued?.remove();
});

t.test('alert-deliver: a raised alert still pending without a job is re-offered; a delivered one is not', async (t) => {
  const queue = createQueue(QUEUES.alertDeliver, redis, ctx.services.redisPrefix);
  t.teardown(() => queue.close());
  const pending = randomUUID();
  const delivered = randomUUID();
  await owner.query(
    `INSERT INTO alerts (id, org_id, kind, severity, summary, email_status, webhook_status, created_at) VALUES
       ($1, $3, 'stale_backup', 'warning', 'No backup for 26 hours', 'pending', 'skipped', now() - interval '1 hour'),
       ($2, $3, 'stale_backup', 'warning', 'No backup for 26 hours', 'delivered', 'skipped', now() - interval '1 hour')`,
    [pending, delivered, admin.orgId],
  );
  const out = await alertDeliverReconciler(ctx.db, queue).run(60);
  t.ok(out.added >= 1);
  const job = await queue.getJob(alertDeliverJobId(pending));
  t.same(job?.data, { orgId: admin.orgId, alertId: pending });
  t.ok((job?.opts.attempts ?? 0) > 1, 'with the producer\'s attempts and backoff');
  t.notOk(await queue.getJob(alertDeliverJobId(delivered)), 'a delivered alert is left alone');
  await job?.remove();
});

t.test('Redis restarted empty: accepted CVs are parsed and screened, schedules come back', async (t) => {
  const a = await apply('lost.one@example.test');
  const b = await apply('lost.two@example.test');
  // Everything this test's prefix had in Redis is gone (jobs, schedules), as after a restart without data.
  await deleteRedisPrefix(ctx.services.redisUrl, ctx.services.redisPrefix);
  const running = await startWorkers({
    db: ctx.db,
    audit: ctx.audit,
    logger: createLogger('silent'),
    connection: redis,
    redisPrefix: ctx.services.redisPrefix,
    auditCheckpointEveryMs: 3_600_000,
    masterKey: ctx.config.masterKey.reveal(),
    screening: { provider: createSimulatedProvider(), defaultModel: 'sim', redis },
    reconcile: { everyMs: 3_600_000, graceSeconds: 0 },
  });
  t.teardown(() => running.close());
  await deleteRedisPrefix(ctx.services.redisUrl, ctx.services.redisPrefix);
  const checkpoints = createQueue(QUEUES.auditCheckpoint, redis, ctx.services.redisPrefix);
  t.teardown(() => checkpoints.close());
  t.equal((await checkpoints.getJobSchedulers()).length, 0, 'schedules gone with the data');
  const pass = await running.reconciler?.runOnce();
  t.ok((pass?.['cv-parse']?.added ?? 0) >= 2, 'both lost parses re-offered');
  t.equal((await checkpoints.getJobSchedulers()).length, 1, 'the checkpoint schedule is back');
  for (const { applicationId } of [a, b]) {
    await until(
      'parsed and screened',
      async () => {
        await running.reconciler?.runOnce();
        const { rows } = await owner.query<{ status: string }>('SELECT status FROM screenings WHERE application_id = $1', [applicationId]);
        return rows[0]?.status === 'completed';
      },
      60_000,
    );
  }
  const { rows } = await owner.query<{ n: number; runs: number }>('SELECT count(*)::int AS n, (SELECT coalesce(sum(runs), 0)::int FROM ai_usage WHERE org_id = $1) AS runs FROM screenings WHERE org_id = $1 AND status = $2', [admin.orgId, 'completed']);
  t.ok((rows[0]?.n ?? 0) >= 2, 'screened');
  const per = await owner.query<{ application_id: string; n: number }>('SELECT application_id, count(*)::int AS n FROM screenings WHERE application_id = ANY($1) GROUP BY 1', [[a.applicationId, b.applicationId]]);
  t.same(per.rows.map((r) => r.n), [1, 1], 'each exactly once, however many passes ran');
});
