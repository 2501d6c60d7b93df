// Database round trips of one CV screening from queue job to stored result (issue 19,
// item 6): counted at the wire (test/support/round-trips.ts), so a refactor that adds a
// statement to the hot path fails here instead of quietly costing throughput.
import t from 'tap';
import { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createScreeningRunner } from '../../server/modules/screening/service.js';
import { createSimulatedProvider } from '../../server/modules/model-providers/simulated.js';
import { createCvScreenProcessor } from '../../worker/processors/cv-screen.js';
import { countRoundTrips } from '../support/round-trips.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const redis = new Redis(ctx.config.redisUrl.reveal(), { maxRetriesPerRequest: null });
t.teardown(() => redis.disconnect());
const admin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin);
const parse = parser(ctx);
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const logger = createLogger('silent');
const runner = createScreeningRunner({ db: ctx.db, audit: ctx.audit, keyring, provider: createSimulatedProvider(), defaultModel: 'gpt-test', logger });
const processor = createCvScreenProcessor({ runner, redis, redisPrefix: ctx.config.redisPrefix, logger, waitMs: 60_000 });

async function apply(n: number): Promise<string> {
  const text = `Applicant ${n}\napplicant${n}@example.test\n\nExperience\n6 years of TypeScript services at Northwind\nDesigned Postgres schemas for billing\nLed a team of 4`;
  const res = await uploadCv(ctx, admin, job.id, { name: `Applicant ${n}`, email: `applicant${n}@example.test` }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(text, 'utf8') });
  if (res.statusCode !== 201) throw new Error(`upload ${res.statusCode} ${res.body}`);
  const { applicationId, documentId } = res.json<{ applicationId: string; documentId: string }>();
  const parsed = await parse(admin.orgId, documentId);
  if (parsed.status !== 'parsed') throw new Error(`parse ${JSON.stringify(parsed)}`);
  return applicationId;
}
const first = await apply(1);
const second = await apply(2);
const fakeJob = (applicationId: string) =>
  ({ id: `rt-${applicationId}`, data: { orgId: admin.orgId, applicationId }, attemptsMade: 0, opts: { attempts: 5 }, moveToDelayed: async () => undefined }) as unknown as Job<{ orgId: string; applicationId: string }>;

t.test('one CV screening, queue job to stored result, takes at most 6 database round trips', async (t) => {
  await runner.screen(admin.orgId, first); // warm caches (org key) the way a running worker has them
  const { result, roundTrips, statements } = await countRoundTrips(() => processor(fakeJob(second)));
  t.equal(result.status, 'completed', JSON.stringify(result));
  t.ok(roundTrips <= 6, `${roundTrips} round trips (at most 6)`, { statements });
  const { rows } = await owner.query<{ status: string; runs: number; events: number; audits: number }>(
    `SELECT s.status,
            (SELECT count(*)::int FROM ai_runs r WHERE r.screening_id = s.id) AS runs,
            (SELECT count(*)::int FROM application_events e WHERE e.application_id = s.application_id AND e.type = 'screening.completed') AS events,
            (SELECT count(*)::int FROM audit_events a WHERE a.org_id = s.org_id AND a.action = 'ai.screened' AND a.target_id = s.application_id::text) AS audits
       FROM screenings s WHERE s.application_id = $1`,
    [second],
  );
  t.same(rows, [{ status: 'completed', runs: 2, events: 1, audits: 1 }], 'the result, both AI runs, the timeline event and the audit event are stored');
  const again = await countRoundTrips(() => processor(fakeJob(second)));
  t.equal(again.result.status, 'skipped', 'a finished screening is not redone');
  t.ok(again.roundTrips <= 3, `a redelivered job costs ${again.roundTrips} round trips`, { statements: again.statements });
});
