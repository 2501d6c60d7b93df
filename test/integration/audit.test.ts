import t from 'tap';
import { Redis } from 'ioredis';
import { Queue, QueueEvents } from 'bullmq';
import { spawnSync } from 'node:child_process';
import { createAuditLog } from '../../server/core/audit.js';
import { createDb } from '../../server/core/db.js';
import { createLogger } from '../../server/core/logger.js';
import { bullPrefix, QUEUES } from '../../server/core/queues.js';
import { startWorkers } from '../../worker/worker.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { countRoundTrips } from '../support/round-trips.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);

async function freshOrgWithEvents(n: number): Promise<string> {
  const m = await createOrgWithMember(ctx, 'admin');
  for (let i = 0; i < n; i++) {
    await ctx.audit.record(m.orgId, { action: 'test.step', actor: { type: 'system' }, metadata: { i, note: `step ${i}` } });
  }
  return m.orgId;
}

/** Tampering as the database owner, with the append-only triggers switched off. */
async function asOwnerWithoutTriggers(sql: string, values: unknown[]): Promise<void> {
  await owner.query('BEGIN');
  try {
    await owner.query("SET LOCAL session_replication_role = 'replica'");
    for (const statement of sql.split(';').filter((s) => s.trim())) await owner.query(statement, values);
    await owner.query('COMMIT');
  } catch (err) {
    await owner.query('ROLLBACK');
    throw err;
  }
}

// Setup before subtests (tap ends the root test when its queue drains).
const editedOrg = await freshOrgWithEvents(10);
const deletedOrg = await freshOrgWithEvents(10);
const reorderedOrg = await freshOrgWithEvents(10);
const truncatedOrg = await freshOrgWithEvents(10);
const cliOrg = await freshOrgWithEvents(5);
const concurrentOrg = (await createOrgWithMember(ctx, 'admin')).orgId;
const unicodeOrg = (await createOrgWithMember(ctx, 'admin')).orgId;

t.test('the app role cannot UPDATE, DELETE or TRUNCATE audit events; the owner is stopped by the trigger', async (t) => {
  await ctx.db.withTenantTx(editedOrg, async (tx) => {
    await t.rejects(tx.query("UPDATE audit_events SET action = 'x.y' WHERE seq = 1"), /permission denied/);
  });
  await ctx.db.withTenantTx(editedOrg, async (tx) => {
    await t.rejects(tx.query('DELETE FROM audit_events WHERE seq = 1'), /permission denied/);
  });
  await t.rejects(ctx.db.query('TRUNCATE audit_events'), /permission denied/);
  await t.rejects(owner.query("UPDATE audit_events SET action = 'x.y' WHERE org_id = $1", [editedOrg]), /append-only/);
  await t.rejects(owner.query('DELETE FROM audit_events WHERE org_id = $1', [editedOrg]), /append-only/);
  await t.rejects(owner.query('TRUNCATE audit_events CASCADE'), /append-only/);
  const verdict = await ctx.audit.verify(editedOrg);
  t.ok(verdict.ok, 'chain intact after refused attempts');
  t.equal(verdict.eventsChecked, 11, 'org.created + 10 events');
});

t.test('an edited payload is detected at that exact event', async (t) => {
  await asOwnerWithoutTriggers(`UPDATE audit_events SET metadata = '{"i": 4, "note": "forged"}' WHERE org_id = $1 AND seq = 6`, [editedOrg]);
  const r = await ctx.audit.verify(editedOrg);
  t.equal(r.ok, false);
  t.equal(r.firstBroken?.seq, 6);
  t.equal(r.firstBroken?.reason, 'hash_mismatch');
  t.equal(r.eventsChecked, 5, 'events before the edit still verify');
});

t.test('a deleted middle event is detected at its position', async (t) => {
  await asOwnerWithoutTriggers('DELETE FROM audit_events WHERE org_id = $1 AND seq = 4', [deletedOrg]);
  const r = await ctx.audit.verify(deletedOrg);
  t.equal(r.firstBroken?.seq, 4);
  t.equal(r.firstBroken?.reason, 'missing_event');
});

t.test('reordered events are detected at the first moved event', async (t) => {
  await asOwnerWithoutTriggers(
    `UPDATE audit_events SET seq = 1000007 WHERE org_id = $1 AND seq = 7;
     UPDATE audit_events SET seq = 7 WHERE org_id = $1 AND seq = 8;
     UPDATE audit_events SET seq = 8 WHERE org_id = $1 AND seq = 1000007`,
    [reorderedOrg],
  );
  const r = await ctx.audit.verify(reorderedOrg);
  t.equal(r.firstBroken?.seq, 7);
  t.equal(r.firstBroken?.reason, 'prev_hash_mismatch');
});

t.test('removing the newest events is detected against the head and the signed checkpoint', async (t) => {
  const cp = await ctx.audit.writeCheckpoint(truncatedOrg);
  t.equal(cp?.seq, 11);
  await asOwnerWithoutTriggers('DELETE FROM audit_events WHERE org_id = $1 AND seq > 9', [truncatedOrg]);
  let r = await ctx.audit.verify(truncatedOrg);
  t.equal(r.firstBroken?.seq, 10);
  t.equal(r.firstBroken?.reason, 'missing_event', 'the checkpoint proves events 10..11 existed');
  // Even an attacker who also rewinds the head is caught by the signature.
  await asOwnerWithoutTriggers(
    'UPDATE audit_heads SET last_seq = 9, last_hash = (SELECT hash FROM audit_events WHERE org_id = $1 AND seq = 9) WHERE org_id = $1',
    [truncatedOrg],
  );
  r = await ctx.audit.verify(truncatedOrg);
  t.equal(r.ok, false);
  await asOwnerWithoutTriggers('UPDATE audit_checkpoints SET seq = 9 WHERE org_id = $1', [truncatedOrg]);
  r = await ctx.audit.verify(truncatedOrg);
  t.equal(r.firstBroken?.reason, 'checkpoint_signature_invalid', 'a moved checkpoint fails its signature');
});

t.test('the database links each event exactly as the verifier hashes it, whatever the metadata holds', async (t) => {
  const awkward = { name: 'Zoë Ōkubo-Nguyễn 🚀 王秀英', quote: 'say "hi" \\ and \n go', big: 1.5e300, small: -0.000001, tab: '\t', nested: [{ seq: 3 }, null, true, 'العربية'], emptyKey: { '': 'x' } };
  const one = await countRoundTrips(() => ctx.audit.record(unicodeOrg, { action: 'test.unicode', actor: { type: 'system' }, metadata: awkward }));
  t.equal(one.roundTrips, 2, 'an append in its own transaction: BEGIN + the append in one round trip, then COMMIT');
  const second = await ctx.audit.record(unicodeOrg, { action: 'test.unicode', actor: { type: 'user', id: 'u1' }, target: { type: 'job', id: 'j1' }, metadata: { ...awkward, more: '€' }, requestId: 'req-1' });
  t.equal(second.prevHash, one.result.hash, 'the second event links to the first');
  const { rows } = await owner.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events WHERE org_id = $1 ORDER BY seq', [unicodeOrg]);
  t.same(rows.slice(-2).map((r) => r.hash), [one.result.hash, second.hash], 'what the append returned is what is stored');
  const r = await ctx.audit.verify(unicodeOrg);
  t.ok(r.ok, `the chain verifies (${JSON.stringify(r.firstBroken)})`);
});

t.test('200 concurrent writers leave one unbroken chain', async (t) => {
  // What is tested is the chain under contention, not the pool: the app's pool refuses a
  // caller after 5 s without a free connection (a 503 in production), and 200 writers
  // serialised on one org's chain head can queue longer than that on a loaded CI machine.
  // So these writers share a pool of their own that lets them wait.
  const db = createDb({ connectionString: ctx.config.databaseUrl.reveal(), max: 20, connectTimeoutMs: 120_000, applicationName: 'hirebox-audit-concurrency-test' });
  t.teardown(() => db.close());
  const audit = createAuditLog({ db, signingKey: ctx.config.auditSigningKey.reveal() });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 200 }, (_, i) => audit.record(concurrentOrg, { action: 'test.concurrent', actor: { type: 'system' }, metadata: { i } })),
  );
  const ms = performance.now() - started;
  t.comment(`200 chained audit writes in ${ms.toFixed(0)} ms`);
  const r = await ctx.audit.verify(concurrentOrg);
  t.ok(r.ok, 'chain verifies');
  t.equal(r.lastSeq, 201);
  const distinct = await owner.query('SELECT count(DISTINCT prev_hash)::int AS n FROM audit_events WHERE org_id = $1', [concurrentOrg]);
  t.equal((distinct.rows[0] as { n: number }).n, 201, 'no two events share a predecessor (no fork)');
});

t.test('the worker signs checkpoints on a schedule and verify checks them', async (t) => {
  const connection = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
  const logger = createLogger('silent');
  const audit = createAuditLog({ db: ctx.db, signingKey: ctx.config.auditSigningKey.reveal() });
  const running = await startWorkers({ db: ctx.db, audit, logger, connection, redisPrefix: ctx.services.redisPrefix, auditCheckpointEveryMs: 60_000 });
  const eventsConnection = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
  const events = new QueueEvents(QUEUES.auditCheckpoint, { connection: eventsConnection, prefix: bullPrefix(ctx.services.redisPrefix) });
  t.teardown(async () => {
    await running.close();
    await events.close();
    connection.disconnect();
    eventsConnection.disconnect();
  });
  const queue = new Queue(QUEUES.auditCheckpoint, { connection, prefix: bullPrefix(ctx.services.redisPrefix) });
  t.teardown(() => queue.close());
  const schedulers = await queue.getJobSchedulers();
  t.equal(schedulers.length, 1, 'one repeatable schedule registered');
  t.equal(Number(schedulers[0]?.every), 60_000);
  // The schedule fires once at start-up; wait for that run, then add an event so the
  // tip moves, and run one on demand for that org through the real queue.
  for (let i = 0; i < 100 && (await queue.getCompletedCount()) < 1; i++) await new Promise((r) => setTimeout(r, 50));
  t.equal(await queue.getCompletedCount(), 1, 'the scheduled run completed');
  await ctx.audit.record(concurrentOrg, { action: 'test.after_checkpoint', actor: { type: 'system' } });
  await events.waitUntilReady();
  const job = await queue.add('checkpoint-now', { orgId: concurrentOrg });
  const result = (await job.waitUntilFinished(events, 15_000)) as { signed: number };
  t.equal(result.signed, 1);
  const r = await ctx.audit.verify(concurrentOrg);
  t.ok(r.ok);
  t.equal(r.checkpointsChecked, 2, 'both signed checkpoints matched their events');
  const again = await queue.add('checkpoint-again', { orgId: concurrentOrg });
  t.same(await again.waitUntilFinished(events, 15_000), { signed: 0, orgs: 1 }, 'idempotent: the same tip is not signed twice');
});

t.test('`hirebox audit verify` exits 0 on a sound chain and 1 with the first bad event', async (t) => {
  const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, ['dist/server/cli.js', 'audit', 'verify', ...args], { env: { ...process.env, ...ctx.env }, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const good = run(['--org', cliOrg, '--json']);
  t.equal(good.status, 0, good.stderr);
  t.equal((JSON.parse(good.stdout) as { ok: boolean }).ok, true);
  await asOwnerWithoutTriggers(`UPDATE audit_events SET action = 'test.forged' WHERE org_id = $1 AND seq = 3`, [cliOrg]);
  const bad = run(['--org', cliOrg]);
  t.equal(bad.status, 1);
  t.match(bad.stdout, /BROKEN: org .*first bad event seq 3 .*hash_mismatch/);
  const all = run([]);
  t.equal(all.status, 1, 'verifying all orgs fails when any chain is broken');
});

t.test('GET /api/v1/audit/verify reports the first broken link; auditors may call it, recruiters may not', async (t) => {
  const auditor = await createOrgWithMember(ctx, 'auditor', editedOrg);
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { cookie: auditor.cookie } });
  t.equal(res.statusCode, 200);
  const body = res.json<{ ok: boolean; firstBroken: { seq: number; reason: string } }>();
  t.equal(body.ok, false);
  t.same([body.firstBroken.seq, body.firstBroken.reason], [6, 'hash_mismatch']);
  const recruiter = await createOrgWithMember(ctx, 'recruiter', editedOrg);
  const denied = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { cookie: recruiter.cookie } });
  t.equal(denied.statusCode, 403);
  t.match(denied.headers['content-type'], /application\/problem\+json/);
});

t.test('GET /api/v1/audit/events pages through one org only', async (t) => {
  const admin = await createOrgWithMember(ctx, 'auditor', concurrentOrg);
  const first = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/events?limit=100', headers: { cookie: admin.cookie } });
  t.equal(first.statusCode, 200);
  const page = first.json<{ events: { seq: number; orgId?: string }[]; nextAfterSeq: number }>();
  t.equal(page.events.length, 100);
  t.equal(page.nextAfterSeq, 100);
  const second = await ctx.app.inject({ method: 'GET', url: `/api/v1/audit/events?limit=200&afterSeq=${page.nextAfterSeq}&action=test.concurrent`, headers: { cookie: admin.cookie } });
  const rest = second.json<{ events: { seq: number; action: string }[]; nextAfterSeq: number | null }>();
  t.ok(rest.events.every((e) => e.action === 'test.concurrent' && e.seq > 100));
  const bad = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/events?limit=5000', headers: { cookie: admin.cookie } });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { title: 'Validation Failed' });
});
