// Issue 19, event webhooks: a worker killed after the receiver accepted a delivery but before
// the attempt was recorded. Event hooks are at-least-once (Standard Webhooks): the lease runs
// out, the next attempt resends, and the receiver dedupes on webhook-id, which must be the
// same event id on the resend. The crash is replayed by the deliverer's database failing for
// every query once the receiver has the request.
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../server/core/db.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createOutbound } from '../../server/core/outbound.js';
import { createEventHookDeliverer } from '../../server/modules/event-hooks/service.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, createOrgWithMember } from '../helper.js';
import { startRecordingReceiver } from '../support/webhook-receiver.js';

const { url: receiverUrl, hits } = await startRecordingReceiver(t, '/events');

const ctx = await buildTestApp(t, { env: { OUTBOUND_ALLOW_LOOPBACK: 'true' } });
const outbound = createOutbound({ allowLoopback: true });
t.teardown(() => outbound.close());
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);

let now = new Date();
const deliverer = (db: Db) =>
  createEventHookDeliverer({
    db,
    keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
    outbound,
    alerts: { raise: async () => undefined, noteExport: async () => undefined },
    deliver: { enqueue: async () => undefined },
    log: createLogger('silent'),
    clock: () => now,
  });

t.test('a resend after a crash past the send carries the same webhook-id and is recorded once', async (t) => {
  const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/org/event-hooks', headers: admin.headers, payload: { url: receiverUrl, events: ['application.created'] } });
  t.equal(created.statusCode, 201, created.body);
  const secret = created.json<{ secret: string }>().secret;
  const job = await createJob(ctx, recruiter, { title: 'Data Engineer' });
  t.equal((await uploadCv(ctx, recruiter, job.id)).statusCode, 201);
  const deliveries = await ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ id: string; attempts: number }>('SELECT id, attempts FROM event_hook_deliveries')).rows);
  t.equal(deliveries.length, 1, 'one delivery for application.created');
  const deliveryId = deliveries[0]?.id ?? '';

  const crashing: Db = {
    ...ctx.db,
    withTenantTx: (orgId, fn, o) => (hits.length > 0 ? Promise.reject(new Error('worker killed (SIGKILL)')) : ctx.db.withTenantTx(orgId, fn, o)),
  };
  await t.rejects(deliverer(crashing).deliver(admin.orgId, deliveryId, 1), /worker killed/, 'the worker dies after the receiver accepted');
  t.equal(hits.length, 1);

  t.equal(await deliverer(ctx.db).deliver(admin.orgId, deliveryId, 1), 'stale', 'the claimed attempt is not run twice');
  // Once the lease has run out the sweep offers the next attempt (called directly here).
  now = new Date(now.getTime() + 60_000);
  t.equal(await deliverer(ctx.db).deliver(admin.orgId, deliveryId, 2), 'delivered', 'the next attempt resends');
  t.equal(hits.length, 2, 'at-least-once: the receiver got it twice');
  const [first, second] = hits;
  t.ok(first?.headers['webhook-id'], 'a webhook-id');
  t.equal(second?.headers['webhook-id'], first?.headers['webhook-id'], 'the same webhook-id on the resend: the receiver dedupes');
  t.equal(second?.body, first?.body, 'the same payload');
  for (const h of [first, second]) {
    t.doesNotThrow(() => new Webhook(secret).verify(h?.body ?? '', { 'webhook-id': String(h?.headers['webhook-id']), 'webhook-timestamp': String(h?.headers['webhook-timestamp']), 'webhook-signature': String(h?.headers['webhook-signature']) }), 'each copy verifies');
  }
  t.equal(await deliverer(ctx.db).deliver(admin.orgId, deliveryId, 3), 'stale', 'a delivered event is not sent again');
  t.equal(hits.length, 2);
});
