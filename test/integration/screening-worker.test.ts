// The real queues end to end: an uploaded CV is parsed by the worker, which enqueues
// cv-screen; the cv-screen worker screens it through the openai SDK against the fake
// server. And a worker killed mid-screening: BullMQ's stalled-job check hands the job to
// another worker, which finishes it without charging the budget twice.
import t from 'tap';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { buildTestApp, createOrgWithMember } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { isInjectionCheck, startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { bullPrefix, createQueue, QUEUES } from '../../server/core/queues.js';
import { createScreeningProducer } from '../../server/modules/screening/queue.js';
import { createScreeningRunner } from '../../server/modules/screening/service.js';
import { createOpenAiProvider } from '../../server/modules/model-providers/openai.js';
import { simulateScreening } from '../../server/modules/model-providers/simulated.js';
import { createCvScreenProcessor } from '../../worker/processors/cv-screen.js';
import { startWorkers } from '../../worker/worker.js';

const ctx = await buildTestApp(t);
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const fake = await startFakeOpenAI();
t.teardown(async () => {
  await fake.close();
  redis.disconnect();
});
const grounded = (body: ChatRequestBody): string => JSON.stringify(simulateScreening(body.messages[1]?.content ?? ''));
fake.setFallback({ kind: 'valid', content: grounded });
const admin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin);
const logger = createLogger('silent');
const openai = createOpenAiProvider({ apiKey: 'sk-test-fake', baseUrl: fake.baseUrl, timeoutMs: 5_000, maxRetries: 1, baseDelayMs: 5 });
const CV = 'Jane Doe\njane@doe.example\n\n6 years of TypeScript services\nDesigned Postgres schemas for billing';

async function until<T>(fn: () => Promise<T | null | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
const status = (applicationId: string) =>
  ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ status: string; id: string }>('SELECT id, status FROM screenings WHERE application_id = $1', [applicationId])).rows[0] ?? null);
const usage = () => ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ n: number; runs: number }>('SELECT (input_tokens + output_tokens)::int AS n, runs FROM ai_usage')).rows[0] ?? { n: 0, runs: 0 });

t.test('upload -> cv-parse worker -> cv-screen enqueued -> screened through the SDK and the fake', async (t) => {
  const running = await startWorkers({
    db: ctx.db,
    audit: ctx.audit,
    logger,
    connection: redis,
    redisPrefix: ctx.services.redisPrefix,
    auditCheckpointEveryMs: 3_600_000,
    masterKey: ctx.config.masterKey.reveal(),
    screening: { provider: openai, defaultModel: 'gpt-test', redis },
  });
  t.teardown(() => running.close());
  t.ok(running.workers.some((w) => w.name === QUEUES.cvScreen), 'a cv-screen worker runs');
  const res = await uploadCv(ctx, admin, job.id, { name: 'Jane Doe', email: 'jane.e2e@doe.example' }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(CV) });
  t.equal(res.statusCode, 201, res.body);
  const { applicationId } = res.json<{ applicationId: string }>();
  const s = await until(async () => {
    const row = await status(applicationId);
    return row?.status === 'completed' ? row : null;
  });
  t.equal(s.status, 'completed');
  t.equal(fake.requests.filter((r) => !isInjectionCheck(r.body)).length, 1);
  t.equal(fake.requests.filter((r) => isInjectionCheck(r.body)).length, 1, 'and one separate injection check');
  t.notMatch(fake.requests[0]?.rawBody ?? '', /Jane|jane\.e2e/, 'blind');
});

t.test('a worker killed mid-screening: the stalled job is recovered by another worker and tokens are charged once', async (t) => {
  const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
  const runner = createScreeningRunner({ db: ctx.db, audit: ctx.audit, keyring, provider: openai, defaultModel: 'gpt-test', logger });
  const processor = createCvScreenProcessor({ runner, redis, redisPrefix: ctx.services.redisPrefix, logger, slotTtlMs: 1_500 });
  const res = await uploadCv(ctx, admin, job.id, { name: 'Jane Doe', email: 'jane.stall@doe.example' }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(CV) });
  const { applicationId, documentId } = res.json<{ applicationId: string; documentId: string }>();
  // Parse directly so only our screen workers run.
  const { parser } = await import('../fixtures/hiring.js');
  t.match(await parser(ctx)(admin.orgId, documentId), { status: 'parsed' });
  const before = await usage();
  fake.reset();
  fake.setFallback({ kind: 'valid', content: grounded });
  fake.script({ kind: 'hang' }); // the first worker's call never returns: it "dies" holding the job

  const opts = { connection: redis, prefix: bullPrefix(ctx.services.redisPrefix), lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 2 };
  const first = new Worker(QUEUES.cvScreen, processor, { ...opts, autorun: true });
  const queue = createQueue(QUEUES.cvScreen, redis, ctx.services.redisPrefix);
  t.teardown(() => queue.close());
  await createScreeningProducer(queue).enqueueScreening(admin.orgId, applicationId, documentId);
  await until(async () => (fake.requests.length >= 1 ? true : null), 10_000);
  // Kill: stop renewing the lock without finishing the job (as a crashed process would).
  await first.close(true);
  const second = new Worker(QUEUES.cvScreen, processor, opts);
  t.teardown(() => second.close());
  const s = await until(async () => {
    const row = await status(applicationId);
    return row?.status === 'completed' ? row : null;
  }, 20_000);
  t.equal(s.status, 'completed', 'the second worker finished the screening');
  const after = await usage();
  t.equal(after.runs - before.runs, 2, 'one charged screening run and one injection check');
  const runs = await ctx.db.withTenant(admin.orgId, async (q) => (await q.query('SELECT purpose FROM ai_runs WHERE screening_id = $1 ORDER BY purpose', [s.id])).rows);
  t.same(runs.map((r: { purpose: string }) => r.purpose), ['cv_screening', 'injection_check'], 'one recorded screening run: the killed call charged nothing');
  const events = await ctx.db.withTenant(admin.orgId, async (q) => (await q.query("SELECT 1 FROM audit_events WHERE action = 'ai.screened' AND target_id = $1", [applicationId])).rowCount);
  t.equal(events, 1);
});
