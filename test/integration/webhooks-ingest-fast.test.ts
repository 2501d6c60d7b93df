// The one-round-trip webhook store (migration 0020's SECURITY DEFINER batch function,
// coalesced by store-batcher.ts), the unawaited enqueue and the worker's sweep that
// catches enqueues that were lost: concurrent webhooks share a batch and are each stored
// once; duplicates inside one batch are stored once; the function refuses another org's
// or a revoked endpoint (also when another process revoked it and this one still has it
// cached); one bad row cannot fail its neighbours; a message whose enqueue failed is still
// acknowledged, stored, and enqueued by the sweep, once.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { createKeyring } from '../../server/core/crypto.js';
import { UnauthorizedError } from '../../server/core/errors.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { storeMessages } from '../../server/modules/webhooks/repo.js';
import { createWebhookService, ENQUEUE_WINDOW_MS, type IngestProducer } from '../../server/modules/webhooks/service.js';
import { webhookIngestJobId } from '../../server/core/queue-jobs.js';
import { createStoreBatcher } from '../../server/modules/webhooks/store-batcher.js';
import { sweepUnprocessed } from '../../worker/processors/webhook-ingest.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { signHmac } from '../fakes/vapi-server.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const queue = createQueue(QUEUES.webhookIngest, ctx.redis, ctx.config.redisPrefix);
t.teardown(() => queue.close());
const admin = await createOrgWithMember(ctx, 'admin');
const other = await createOrgWithMember(ctx, 'admin');
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const logger = createLogger('silent');

// enqueueWindowMs 0: these services enqueue on the turn after the store (the app's window is tested below).
function service(ingest: IngestProducer, enqueueWindowMs = 0) {
  return createWebhookService({ db: ctx.db, audit: ctx.audit, keyring, redis: ctx.redis, redisPrefix: ctx.config.redisPrefix, ingest, publicUrl: ctx.config.publicUrl, clock: () => new Date(), log: logger, enqueueWindowMs });
}
const enqueued: string[] = [];
const enqueueCalls: number[] = [];
const working = service({
  enqueue: async (messages) => {
    enqueueCalls.push(messages.length);
    enqueued.push(...messages.map((m) => m.messageId));
  },
});
const failing = service({
  enqueue: async () => {
    throw new Error('redis is down');
  },
});
const actor = (m: typeof admin) => ({ orgId: m.orgId, userId: m.userId, role: m.role, requestId: 'test' });
const hook = await working.createEndpoint(actor(admin), { mode: 'hmac' });
const otherHook = await working.createEndpoint(actor(other), { mode: 'hmac' });

let seq = 0;
function signedMessage(secret: string, callId = `call-${randomUUID()}`, type = 'status-update'): { raw: Buffer; headers: Record<string, string> } {
  seq += 1;
  const raw = Buffer.from(JSON.stringify({ message: { type, status: 'in-progress', timestamp: 1_700_000_000_000 + seq, call: { id: callId } } }));
  const ts = String(Date.now());
  return { raw, headers: { 'x-signature': signHmac(secret, ts, raw), 'x-timestamp': ts } };
}
const stored = async (orgId: string): Promise<number> => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages WHERE org_id = $1', [orgId])).rows[0]?.n ?? 0;

t.test('concurrent webhooks through the HTTP route are each stored once and acknowledged', async (t) => {
  const before = await stored(admin.orgId);
  const msgs = Array.from({ length: 40 }, () => signedMessage(hook.secret));
  const answers = await Promise.all(msgs.map((m) => ctx.app.inject({ method: 'POST', url: `/webhooks/vapi/${hook.id}`, headers: { 'content-type': 'application/json', ...m.headers }, payload: m.raw })));
  t.same([...new Set(answers.map((a) => a.statusCode))], [200]);
  t.ok(answers.every((a) => a.json<{ duplicate: boolean }>().duplicate === false));
  t.equal(answers[0]?.headers['x-content-type-options'], 'nosniff', 'nosniff on the JSON answer');
  t.equal(answers[0]?.headers['cache-control'], 'no-store');
  t.equal(answers[0]?.headers['content-security-policy'], undefined, 'no page headers on a server-to-server answer');
  t.equal((await stored(admin.orgId)) - before, 40);
  const ids = await owner.query<{ id: string }>('SELECT id FROM webhook_messages WHERE org_id = $1 ORDER BY received_at DESC LIMIT 40', [admin.orgId]);
  // The app enqueues what it stored within ENQUEUE_WINDOW_MS in one addBulk, after the answers.
  const findJobs = () => Promise.all(ids.rows.map((r) => queue.getJob(webhookIngestJobId(r.id))));
  let jobs = await findJobs();
  for (let i = 0; i < 50 && jobs.some((j) => !j); i++) {
    await setTimeout(ENQUEUE_WINDOW_MS);
    jobs = await findJobs();
  }
  t.same(
    jobs.map((j) => j?.data),
    ids.rows.map((r) => ({ orgId: admin.orgId, messageId: r.id })),
    'each stored message has its webhook-ingest job',
  );
});

t.test('a cold endpoint cache looks the hook up once for a burst of requests', async (t) => {
  let lookups = 0;
  const pool = new Proxy(ctx.db.pool, {
    get(target, prop) {
      if (prop === 'query')
        return (...args: Parameters<typeof target.query>) => {
          if (String(args[0]).includes('webhook_endpoint_org')) lookups += 1;
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const cold = createWebhookService({ db: { ...ctx.db, pool }, audit: ctx.audit, keyring, redis: ctx.redis, redisPrefix: ctx.config.redisPrefix, ingest: { enqueue: async () => undefined }, publicUrl: ctx.config.publicUrl, clock: () => new Date(), log: logger });
  const msgs = Array.from({ length: 25 }, () => signedMessage(hook.secret));
  const answers = await Promise.all(msgs.map((m, i) => cold.ingest(hook.id, m.headers, m.raw, `cold-${i}`)));
  t.ok(answers.every((a) => a.received === true));
  t.equal(lookups, 1, 'one lookup for 25 concurrent requests');
  const unknown = randomUUID();
  const misses = await Promise.allSettled(msgs.slice(0, 10).map((m) => cold.ingest(unknown, m.headers, m.raw, 'unknown')));
  t.ok(misses.every((r) => r.status === 'rejected' && r.reason instanceof UnauthorizedError), 'unknown hook: 401 for all');
  t.equal(lookups, 2, 'and one lookup for the unknown hook');
});

t.test('messages stored in one turn are enqueued together, each once', async (t) => {
  enqueued.length = 0;
  enqueueCalls.length = 0;
  const msgs = Array.from({ length: 30 }, () => signedMessage(hook.secret));
  const answers = await Promise.all(msgs.map((m, i) => working.ingest(hook.id, m.headers, m.raw, `batch-${i}`)));
  t.ok(answers.every((a) => a.received === true && a.duplicate === false));
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(new Set(enqueued).size, 30, 'every message enqueued');
  t.equal(enqueued.length, 30, 'none twice');
  t.ok(enqueueCalls.length < 30, `fewer enqueue calls than messages (${enqueueCalls.join('+')})`);
  const dup = await working.ingest(hook.id, msgs[0]!.headers, msgs[0]!.raw, 'again');
  await new Promise((resolve) => setImmediate(resolve));
  t.match(dup, { duplicate: true });
  t.equal(enqueued.length, 30, 'a duplicate is not enqueued');
});

t.test('with the enqueue window, messages stored by successive store batches leave in one enqueue after it closes', async (t) => {
  const calls: string[][] = [];
  const windowed = service({ enqueue: async (messages) => void calls.push(messages.map((m) => m.messageId)) }, 1000);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    // One at a time: each its own store batch, answered before the next is sent.
    const m = signedMessage(hook.secret);
    t.match(await windowed.ingest(hook.id, m.headers, m.raw, `win-${i}`), { received: true, duplicate: false });
    const callId = (JSON.parse(m.raw.toString()) as { message: { call: { id: string } } }).message.call.id;
    const { rows } = await owner.query<{ id: string }>('SELECT id FROM webhook_messages WHERE org_id = $1 AND call_id = $2', [admin.orgId, callId]);
    ids.push(rows[0]?.id ?? 'missing');
  }
  t.same(calls, [], 'nothing enqueued while the window is open (the answers did not wait for it)');
  await setTimeout(1500);
  t.same(calls, [ids], 'one enqueue carrying the three messages, each once');
});

t.test('flushEnqueues (called by the app on close) enqueues what waits for the window at once', async (t) => {
  const calls: number[] = [];
  const windowed = service({ enqueue: async (messages) => void calls.push(messages.length) }, 60_000);
  const m = signedMessage(hook.secret);
  t.match(await windowed.ingest(hook.id, m.headers, m.raw, 'flush-1'), { received: true, duplicate: false });
  t.same(calls, [], 'held by the window');
  await windowed.flushEnqueues();
  t.same(calls, [1], 'enqueued by the flush, not after a minute');
});

t.test('one batch: duplicates inside it are stored once, and another org or an unknown endpoint is not_live', async (t) => {
  const batcher = createStoreBatcher(ctx.db.pool, { maxInFlight: 1 });
  const orgKeyless = Buffer.from('sealed elsewhere');
  const base = { orgId: admin.orgId, endpointId: hook.id, type: 'status-update', ts: 42, bodyEnc: orgKeyless };
  const a = randomUUID();
  const b = randomUUID();
  const c = randomUUID();
  const d = randomUUID();
  const before = await stored(admin.orgId);
  const outcomes = await Promise.all([
    batcher.store({ ...base, id: a, callId: 'dup-call' }),
    batcher.store({ ...base, id: b, callId: 'dup-call' }),
    batcher.store({ ...base, id: c, callId: 'x-call', orgId: other.orgId }),
    batcher.store({ ...base, id: d, callId: 'y-call', endpointId: randomUUID() }),
  ]);
  t.same(outcomes.slice().sort(), ['duplicate', 'not_live', 'not_live', 'stored']);
  t.equal(outcomes[2], 'not_live', "another org cannot store through this org's endpoint");
  t.equal(outcomes[3], 'not_live', 'unknown endpoint');
  t.equal((await stored(admin.orgId)) - before, 1);
  t.equal(await stored(other.orgId), 0, 'nothing landed in the other org');
  const direct = await storeMessages(ctx.db.pool, [{ ...base, id: randomUUID(), callId: 'z-call', orgId: other.orgId, endpointId: otherHook.id }]);
  t.same([...direct.values()], ['stored'], "the other org's own endpoint works");
});

t.test('hirebox_app still sees only its tenant: no rows without app.org_id, and no direct INSERT into another org', async (t) => {
  const { rows } = await ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages');
  t.equal(rows[0]?.n, 0, 'FORCE RLS: outside a tenant the app role sees nothing');
  await t.rejects(
    ctx.db.withTenant(admin.orgId, (q) => q.query("INSERT INTO webhook_messages (org_id, endpoint_id, call_id, message_type, message_ts, body_enc) VALUES ($1, $2, 'c', 'status-update', 1, '\\x00')", [other.orgId, otherHook.id])),
    /row-level security/,
  );
});

t.test('one bad row in a batch does not fail the others', async (t) => {
  const batcher = createStoreBatcher(ctx.db.pool, { maxInFlight: 1 });
  const base = { orgId: admin.orgId, endpointId: hook.id, ts: 7, bodyEnc: Buffer.from('x') };
  // Occupy the single flush slot so the next three travel together.
  const first = batcher.store({ ...base, id: randomUUID(), callId: `solo-${randomUUID()}`, type: 'status-update' });
  const good1 = batcher.store({ ...base, id: randomUUID(), callId: `g1-${randomUUID()}`, type: 'status-update' });
  const bad = batcher.store({ ...base, id: randomUUID(), callId: `b-${randomUUID()}`, type: 'NOT A TYPE' });
  const good2 = batcher.store({ ...base, id: randomUUID(), callId: `g2-${randomUUID()}`, type: 'status-update' });
  t.equal(await first, 'stored');
  t.equal(await good1, 'stored');
  await t.rejects(bad, /check constraint/);
  t.equal(await good2, 'stored');
});

t.test('revoked in another process: a cached endpoint stops storing at once (401, nothing stored)', async (t) => {
  const h = await working.createEndpoint(actor(admin), { mode: 'hmac' });
  const m1 = signedMessage(h.secret);
  t.match(await working.ingest(h.id, m1.headers, m1.raw, 'r1'), { received: true, duplicate: false }, 'cached now');
  const elsewhere = service({ enqueue: async () => undefined });
  await elsewhere.revokeEndpoint(actor(admin), h.id);
  const before = await stored(admin.orgId);
  const m2 = signedMessage(h.secret);
  await t.rejects(working.ingest(h.id, m2.headers, m2.raw, 'r2'), UnauthorizedError);
  t.equal(await stored(admin.orgId), before);
});

t.test('an enqueue that fails: the message is still acknowledged and stored, and the sweep enqueues it once', async (t) => {
  await queue.obliterate({ force: true });
  const m = signedMessage(hook.secret);
  const answer = await failing.ingest(hook.id, m.headers, m.raw, 'r3');
  t.match(answer, { received: true, duplicate: false });
  const { rows } = await owner.query<{ id: string }>("SELECT id FROM webhook_messages WHERE org_id = $1 AND processed_at IS NULL AND call_id = $2", [admin.orgId, JSON.parse(m.raw.toString()).message.call.id]);
  const id = rows[0]?.id;
  if (!id) throw new Error('not stored');
  t.equal(await queue.getJob(webhookIngestJobId(id)), undefined, 'not in the queue yet');
  const n1 = await sweepUnprocessed({ db: ctx.db, queue, afterSeconds: 0 });
  t.ok(n1 >= 1);
  const job = await queue.getJob(webhookIngestJobId(id));
  t.same(job?.data, { orgId: admin.orgId, messageId: id }, 'the sweep enqueued it');
  await sweepUnprocessed({ db: ctx.db, queue, afterSeconds: 0 });
  const counts = await queue.getJobCounts('wait', 'delayed', 'active', 'prioritized');
  t.equal(Object.values(counts).reduce((a, b) => a + b, 0), n1, 'a second sweep adds no duplicate jobs');
  const young = await sweepUnprocessed({ db: ctx.db, queue, afterSeconds: 3600 });
  t.equal(young, 0, 'recent messages are left to their own enqueue');
});
