// Issue 19: an alert-deliver worker killed after the SMTP server / webhook receiver accepted
// the alert, but before the delivery was recorded, must not mail a human twice on retry.
// The crash is replayed by the processor's database failing for every query once the fake
// SMTP server (and the receiver) has accepted the alert: the record step never lands, as
// when the process dies there. The retry then runs with a working database.
import type { Job } from 'bullmq';
import t from 'tap';
import type { Db } from '../../server/core/db.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createMailer } from '../../server/core/mailer.js';
import { createOutbound } from '../../server/core/outbound.js';
import type { JobPayloads } from '../../server/core/queues.js';
import { ALERT_CLAIM_STALE_MS, createAlertDeliverer, createAlertService } from '../../server/modules/alerts/service.js';
import { createAlertDeliverProcessor } from '../../worker/processors/alert-deliver.js';
import { startFakeSmtp } from '../fakes/smtp-server.js';
import { buildTestApp, createOrgWithMember } from '../helper.js';
import { startRecordingReceiver } from '../support/webhook-receiver.js';

const { url: receiverUrl, hits } = await startRecordingReceiver(t, '/hook');

const smtp = await startFakeSmtp();
t.teardown(() => smtp.close());
const ctx = await buildTestApp(t, { env: { OUTBOUND_ALLOW_LOOPBACK: 'true' } });
const outbound = createOutbound({ allowLoopback: true });
t.teardown(() => outbound.close());
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const mailer = createMailer({ smtpUrl: smtp.url, from: 'alerts@hirebox.test', outboxDir: ctx.env.HIREBOX_DATA_DIR ?? '/tmp' });
const log = createLogger('silent');

/** A Db whose every tenant query fails once `crashed()` is true: the worker "dies" there. */
function crashingDb(crashed: () => boolean): Db {
  const guard = <T>(run: () => Promise<T>): Promise<T> => (crashed() ? Promise.reject(new Error('worker killed (SIGKILL)')) : run());
  return { ...ctx.db, withTenant: (orgId, fn) => guard(() => ctx.db.withTenant(orgId, fn)), withTenantTx: (orgId, fn, o) => guard(() => ctx.db.withTenantTx(orgId, fn, o)) };
}

let now = new Date('2026-12-06T12:00:00Z');
const deliverer = (db: Db) => createAlertDeliverer({ db, keyring, mailer, nodeEnv: 'test', log, outbound, clock: () => now });
const run = (db: Db, data: JobPayloads['alert-deliver'], attemptsMade: number) =>
  createAlertDeliverProcessor({ deliverer: deliverer(db) })({ data, attemptsMade, opts: { attempts: 5 } } as unknown as Job<JobPayloads['alert-deliver']>);

const admin = await createOrgWithMember(ctx, 'admin');
const put = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/alerts', headers: admin.headers, payload: { emails: ['oncall@crash.test'], webhookUrl: receiverUrl, kinds: ['signin_burst', 'mass_export', 'bias_breach'] } });
t.equal(put.statusCode, 200, 'alert channel saved');

const raised: string[] = [];
const alerts = createAlertService({ db: ctx.db, audit: ctx.audit, keyring, redis: ctx.redis, redisPrefix: ctx.services.redisPrefix, clock: () => now, log, outbound, nodeEnv: 'test', deliver: { enqueue: async (_o, id) => void raised.push(id) } });
const row = async (id: string) =>
  ctx.db.withTenant(admin.orgId, async (q) => (await q.query<{ email_status: string; webhook_status: string; delivery_attempts: number }>('SELECT email_status, webhook_status, delivery_attempts FROM alerts WHERE id = $1', [id])).rows[0]);
const summaries = new Map<string, string>();
/** Mails of one alert, found by its unique summary in the body (not by the Message-ID under test). */
const mailsFor = (id: string) => smtp.received.filter((m) => m.data.includes(summaries.get(id) ?? id));
const hitsFor = (id: string) => hits.filter((h) => (JSON.parse(h.body) as { id: string }).id === id);

async function raiseOne(kind: 'signin_burst' | 'mass_export' | 'bias_breach'): Promise<string> {
  const summary = `crash test number ${raised.length + 1} (${kind})`;
  await alerts.raise(admin.orgId, kind, summary);
  const id = raised.at(-1);
  if (!id) throw new Error('no alert raised');
  summaries.set(id, summary);
  return id;
}

/** First attempt: the mail and the webhook are accepted, then the worker dies before recording. */
async function crashAfterSend(id: string): Promise<void> {
  const mailsBefore = smtp.received.length;
  const hitsBefore = hits.length;
  const db = crashingDb(() => smtp.received.length > mailsBefore && hits.length > hitsBefore);
  await t.rejects(run(db, { orgId: admin.orgId, alertId: id }, 0), /worker killed/, 'the first attempt dies after the send');
  t.equal(mailsFor(id).length, 1, 'the SMTP server accepted the mail once');
  t.equal(hitsFor(id).length, 1, 'the receiver accepted the webhook once');
}

t.test('a retry after a crash past the send never mails the recipient twice', async (t) => {
  const id = await raiseOne('signin_burst');
  await crashAfterSend(id);
  t.match(await row(id), { email_status: 'pending', webhook_status: 'pending' }, 'the claim is durable but the outcome is unknown');

  // The retry comes while the claim is fresh: the first attempt might still be sending.
  await t.rejects(run(ctx.db, { orgId: admin.orgId, alertId: id }, 1), /may still be in flight/, 'a fresh claim is not resent');
  t.equal(mailsFor(id).length, 1, 'no second mail while the claim is fresh');
  t.equal(hitsFor(id).length, 1, 'no second webhook while the claim is fresh');

  // Past the send timeout: e-mail is resolved at-most-once, the webhook resent under the same id.
  now = new Date(now.getTime() + ALERT_CLAIM_STALE_MS + 1000);
  await run(ctx.db, { orgId: admin.orgId, alertId: id }, 2);
  t.equal(mailsFor(id).length, 1, 'the human got exactly one mail');
  t.match(await row(id), { email_status: 'unknown', webhook_status: 'delivered', delivery_attempts: 1 }, 'e-mail outcome unknown (operator-visible), webhook delivered');
  const [first, second] = hitsFor(id);
  t.equal(hitsFor(id).length, 2, 'the webhook is at-least-once');
  t.ok(first?.headers['x-hirebox-alert-id'], 'the webhook carries a delivery id');
  t.equal(second?.headers['x-hirebox-alert-id'], first?.headers['x-hirebox-alert-id'], 'the same delivery id on the resend, so the receiver can dedupe');
  t.equal(second?.headers['x-hirebox-alert-id'], id, 'the delivery id is the alert id');

  // A later redelivery of the job (e.g. the reconciler) does nothing.
  await run(ctx.db, { orgId: admin.orgId, alertId: id }, 0);
  t.equal(mailsFor(id).length, 1);
  t.equal(hitsFor(id).length, 2);

  const view = await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts', headers: admin.headers });
  t.match(view.json<{ items: { id: string; emailStatus: string }[] }>().items.find((a) => a.id === id), { emailStatus: 'unknown' }, 'the console shows the unknown outcome');
});

t.test('the Message-ID is derived from the alert id, so receivers can dedupe too', async (t) => {
  const id = await raiseOne('mass_export');
  await run(ctx.db, { orgId: admin.orgId, alertId: id }, 0);
  const mail = mailsFor(id)[0];
  const messageId = /Message-ID:\s+<([^>]+)>/i.exec(mail?.data ?? '')?.[1] ?? '';
  t.equal(messageId.split('@')[0]?.slice(0, 'alert.'.length + id.length + 1), `alert.${id}.`, 'Message-ID carries the alert id');
  t.match(messageId, /^alert\.[0-9a-f-]{36}\.[0-9a-f]{16}@hirebox\.invalid$/, 'per recipient, on a host of ours');
  t.match(await row(id), { email_status: 'delivered', webhook_status: 'delivered', delivery_attempts: 1 });
});

t.test('the last attempt with a fresh claim records unknown rather than resending', async (t) => {
  const id = await raiseOne('bias_breach');
  await crashAfterSend(id);
  await run(ctx.db, { orgId: admin.orgId, alertId: id }, 4);
  t.equal(mailsFor(id).length, 1, 'one mail');
  t.equal(hitsFor(id).length, 1, 'one webhook');
  t.match(await row(id), { email_status: 'unknown', webhook_status: 'unknown' });
});

t.test('a send that failed for a known reason is retried (claim released)', async (t) => {
  now = new Date(now.getTime() + 11 * 60_000); // past the 10-minute throttle of the kind
  const id = await raiseOne('signin_burst');
  smtp.failing = true;
  await t.rejects(run(ctx.db, { orgId: admin.orgId, alertId: id }, 0), /alert delivery failed/);
  smtp.failing = false;
  t.match(await row(id), { email_status: 'pending', webhook_status: 'delivered' });
  await run(ctx.db, { orgId: admin.orgId, alertId: id }, 1);
  t.equal(mailsFor(id).length, 1, 'the mail went out on the retry');
  t.equal(hitsFor(id).length, 1, 'the delivered webhook is not resent');
  t.match(await row(id), { email_status: 'delivered', webhook_status: 'delivered', delivery_attempts: 2 });
});
