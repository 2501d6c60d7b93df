// issue 14, M1: anonymous CV-parse exhaustion. Replays the attack (a burst of public
// applications whose CVs are PDFs with a huge page count, for one org) through the real
// public apply endpoint and real BullMQ cv-parse workers, and shows that another org's
// normal CV is still parsed promptly, that the hostile documents are refused before any
// text extraction (never retried) with the reason on the timeline, and that one org never
// holds more than its share of the parser.
import t from 'tap';
import { Redis } from 'ioredis';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { makeManyPagePdf, makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { until } from '../support/until.js';
import { createLogger } from '../../server/core/logger.js';
import { createOrgSlots } from '../../server/core/org-fairness.js';
import { QUEUES } from '../../server/core/queues.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { startWorkers } from '../../worker/worker.js';

const ctx = await buildTestApp(t, { env: { APPLY_RATE_PER_JOB_HOUR: '100', APPLY_RATE_PER_ORG_HOUR: '100' } });
const owner = await connectOwner(t, ctx);
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
t.teardown(() => redis.disconnect());
const x = await createOrgWithMember(ctx, 'admin');
const y = await createOrgWithMember(ctx, 'admin');
const slugOf = async (m: Member): Promise<string> => (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [m.orgId])).rows[0]?.slug as string;
const xJob = await createJob(ctx, x);
const yJob = await createJob(ctx, y);
const xSlug = await slugOf(x);
const ySlug = await slugOf(y);

function apply(orgSlug: string, jobSlug: string, email: string, data: Buffer, ip: string) {
  const { body, contentType } = multipartBody({ name: 'Applicant', email, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, { filename: 'cv.pdf', contentType: 'application/pdf', data });
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${jobSlug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: ip });
}

type DocState = { id: string; application_id: string; parse_status: string; parse_error: string | null; parse_attempts: number };
const docsOf = async (orgId: string): Promise<DocState[]> =>
  (await owner.query<DocState>('SELECT id, application_id, parse_status, parse_error, parse_attempts FROM documents WHERE org_id = $1 ORDER BY created_at', [orgId])).rows;

t.test('while 20 hostile uploads for org X are queued, a normal CV for org Y is parsed within 30 s', async (t) => {
  // The attacker's burst arrives before any worker runs: 20 PDFs of 30,000 pages each.
  for (let i = 0; i < 20; i++) {
    const res = await apply(xSlug, xJob.slug, `hostile${i}@attacker.example`, makeManyPagePdf(30_000, `h${i}`), `10.9.${Math.floor(i / 5)}.1`);
    t.equal(res.statusCode, 202, `hostile upload ${i} accepted (${res.body.slice(0, 80)})`);
  }
  t.equal((await docsOf(x.orgId)).filter((d) => d.parse_status === 'pending').length, 20, '20 hostile documents are queued');

  const running = await startWorkers({
    db: ctx.db,
    audit: ctx.audit,
    logger: createLogger(process.env.DEBUG_INTAKE ? 'info' : 'silent'),
    connection: redis,
    redisPrefix: ctx.services.redisPrefix,
    auditCheckpointEveryMs: 3_600_000,
    masterKey: ctx.config.masterKey.reveal(),
    cvParseConcurrency: 2,
    cvParse: { redis, perOrgConcurrency: ctx.config.intake.cvParsePerOrg, maxPages: ctx.config.intake.cvMaxPages, slotRetryDelayMs: 300 },
  });
  t.teardown(() => running.close());

  // One org's share of the parser, sampled while the burst is worked off.
  const slots = createOrgSlots({ redis, redisPrefix: ctx.services.redisPrefix, queue: QUEUES.cvParse, perOrg: 1, leaseMs: 90_000 });
  let maxActiveX = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxActiveX = Math.max(maxActiveX, await slots.active(x.orgId));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const started = Date.now();
  const normal = await apply(ySlug, yJob.slug, 'grace@candidate.example', makePdf(SAMPLE_CV_LINES), '10.8.0.1');
  t.equal(normal.statusCode, 202);
  const parsed = await until('org Y CV parsed', async () => (await docsOf(y.orgId)).find((d) => d.parse_status === 'parsed'), 30_000);
  const latency = Date.now() - started;
  t.ok(latency < 30_000, `org Y's CV parsed ${latency} ms after it was submitted`);
  t.comment(`org Y parse latency with 20 hostile documents queued ahead: ${latency} ms`);
  const xLeftWhenYParsed = (await docsOf(x.orgId)).filter((d) => d.parse_status === 'pending').length;
  t.comment(`org X documents still pending when org Y's was parsed: ${xLeftWhenYParsed}`);
  t.ok(xLeftWhenYParsed >= 10, 'org Y did not wait behind the backlog of org X (first in, yet most of it was still queued)');

  const xDocs = await until('every hostile document refused', async () => {
    const docs = await docsOf(x.orgId);
    return docs.every((d) => d.parse_status !== 'pending') ? docs : null;
  }, 120_000);
  sampling = false;
  await sampler;
  t.ok(maxActiveX <= 1, `org X never held more than its one parser slot (max seen ${maxActiveX})`);
  for (const d of xDocs) {
    t.same({ status: d.parse_status, error: d.parse_error, attempts: d.parse_attempts }, { status: 'failed', error: 'refused: too_many_pages', attempts: 1 }, 'refused once, never retried');
  }

  // The recruiter of org X sees why, with a message they can pass on to the candidate.
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${xDocs[0]?.application_id}`, headers: { cookie: x.cookie } });
  t.equal(view.statusCode, 200);
  const app = view.json<{ documents: { parseStatus: string; parseError: string }[]; timeline: { type: string; data: Record<string, unknown> }[] }>();
  t.equal(app.documents[0]?.parseStatus, 'failed');
  const refused = app.timeline.find((e) => e.type === 'document.refused');
  t.match(refused?.data, { reason: 'too_many_pages', pages: 30_000, maxPages: 50 });
  t.match(String(refused?.data.candidateMessage), /more pages than we can process \(the limit is 50 pages\)/);
  t.notOk(app.timeline.some((e) => e.type === 'document.parsed'), 'no text was extracted');
  t.equal((await docsOf(y.orgId))[0]?.id, parsed.id);
});

t.test('fairness alone (page cap switched off): org X\'s slow hostile parses hold one slot, org Y\'s CV still goes through', async (t) => {
  const x2 = await createOrgWithMember(ctx, 'admin');
  const y2 = await createOrgWithMember(ctx, 'admin');
  const x2Job = await createJob(ctx, x2);
  const y2Job = await createJob(ctx, y2);
  for (let i = 0; i < 6; i++) {
    t.equal((await apply(await slugOf(x2), x2Job.slug, `slow${i}@attacker.example`, makeManyPagePdf(30_000, `s${i}`), `10.10.${i}.1`)).statusCode, 202);
  }
  const running = await startWorkers({
    db: ctx.db,
    audit: ctx.audit,
    logger: createLogger('silent'),
    connection: redis,
    redisPrefix: ctx.services.redisPrefix,
    auditCheckpointEveryMs: 3_600_000,
    masterKey: ctx.config.masterKey.reveal(),
    cvParseConcurrency: 2,
    // No page cap: each hostile PDF runs into the extraction thread's time or memory limit.
    cvParse: { redis, perOrgConcurrency: 1, maxPages: 1_000_000, slotRetryDelayMs: 300 },
  });
  t.teardown(() => running.close());
  const slots = createOrgSlots({ redis, redisPrefix: ctx.services.redisPrefix, queue: QUEUES.cvParse, perOrg: 1, leaseMs: 90_000 });
  await until('a hostile parse of org X running', async () => (await slots.active(x2.orgId)) === 1, 10_000);
  const started = Date.now();
  t.equal((await apply(await slugOf(y2), y2Job.slug, 'ida@candidate.example', makePdf(SAMPLE_CV_LINES), '10.11.0.1')).statusCode, 202);
  await until('org Y CV parsed', async () => (await docsOf(y2.orgId)).find((d) => d.parse_status === 'parsed'), 30_000);
  const latency = Date.now() - started;
  t.ok(latency < 30_000, `org Y's CV parsed ${latency} ms after it was submitted, while org X's hostile PDFs were being extracted`);
  t.comment(`org Y parse latency with org X's unguarded hostile PDFs running: ${latency} ms`);
  t.ok((await slots.active(x2.orgId)) <= 1, 'org X holds at most one of the two slots');
});

t.test('per-org leases: an org at its limit waits, another org is admitted, an expired lease frees the slot', async (t) => {
  let now = 1_000_000;
  const slots = createOrgSlots({ redis, redisPrefix: `${ctx.services.redisPrefix}:lease-test`, queue: QUEUES.cvParse, perOrg: 1, leaseMs: 5_000, clock: () => now });
  t.equal(await slots.acquire(x.orgId, 'job-1'), true, 'first job of X runs');
  t.equal(await slots.acquire(x.orgId, 'job-2'), false, 'second job of X waits');
  t.equal(await slots.acquire(y.orgId, 'job-3'), true, 'a job of Y is not held up by X');
  t.equal(await slots.acquire(x.orgId, 'job-1'), true, 'the holder renews its own lease');
  await slots.release(x.orgId, 'job-1');
  t.equal(await slots.acquire(x.orgId, 'job-2'), true, 'released: the next job of X runs');
  now += 5_001;
  t.equal(await slots.acquire(x.orgId, 'job-4'), true, 'a lease left by a dead worker expires on its own');
});
