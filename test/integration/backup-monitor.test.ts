// The stale-backup alert (DESIGN §9): the real worker's hourly backup-monitor job, run on
// demand through its queue with an injected clock, against backup_runs rows as
// ops/scripts/backup.sh writes them. Alerts are throttled by the alert service.
import t from 'tap';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../../server/core/config.js';
import { createLogger } from '../../server/core/logger.js';
import { createMailer } from '../../server/core/mailer.js';
import { bullPrefix, QUEUES } from '../../server/core/queues.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createOutbound } from '../../server/core/outbound.js';
import { createAlertService } from '../../server/modules/alerts/service.js';
import { createBackupMonitor, type BackupCheck } from '../../server/modules/backups/monitor.js';
import { BACKUP_MONITOR_PATTERN, BACKUP_MONITOR_SCHEDULER } from '../../worker/processors/backup-monitor.js';
import { startWorkers } from '../../worker/worker.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';

const HOUR = 3_600_000;
let now = new Date('2026-12-01T12:00:00Z');
const clock = (): Date => now;

const ctx = await buildTestApp(t, { clock });
const owner = await connectOwner(t, ctx);
const workerRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerRedis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  alerts: { mailer: createMailer({ smtpUrl: null, from: 'alerts@hirebox.test', outboxDir: ctx.env.HIREBOX_DATA_DIR ?? '/tmp' }), nodeEnv: 'test', publicUrl: ctx.config.publicUrl },
  // A pattern that never fires during the test: checks run only when the test asks.
  backupMonitor: { redis: workerRedis, expected: true, maxAgeMs: 26 * HOUR, clock, pattern: '0 0 1 1 *' },
});
const queue = new Queue(QUEUES.backupMonitor, { connection: workerRedis, prefix: bullPrefix(ctx.services.redisPrefix) });
const eventsRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const events = new QueueEvents(QUEUES.backupMonitor, { connection: eventsRedis, prefix: bullPrefix(ctx.services.redisPrefix) });
await events.waitUntilReady();
t.teardown(async () => {
  await running.close();
  await queue.close();
  await events.close();
  workerRedis.disconnect();
  eventsRedis.disconnect();
});

// All setup before the first t.test (tap ends the root test when its queue drains).
const orgA = await createOrgWithMember(ctx, 'admin');
const orgB = await createOrgWithMember(ctx, 'admin');

let runs = 0;
async function checkNow(): Promise<BackupCheck> {
  runs += 1;
  const job = await queue.add('check', {}, { jobId: `test-check-${runs}` });
  return (await job.waitUntilFinished(events, 15_000)) as BackupCheck;
}
async function staleAlerts(): Promise<{ org_id: string; suppressed: number; summary: string; details: Record<string, unknown> }[]> {
  const { rows } = await owner.query("SELECT org_id, suppressed, summary, details FROM alerts WHERE kind = 'stale_backup' ORDER BY created_at, org_id");
  return rows;
}
async function recordBackup(finishedAt: Date): Promise<void> {
  await owner.query("INSERT INTO backup_runs (file_name, size_bytes, sha256, started_at, finished_at) VALUES ($1, 1234, repeat('b', 64), $2, $2)", [
    `hirebox-${finishedAt.toISOString().replace(/[-:]|\.\d{3}/g, '')}.dump.age`,
    finishedAt,
  ]);
}

t.test('the worker registers one backup-monitor schedule (hourly by default)', async (t) => {
  const schedulers = await queue.getJobSchedulers();
  t.equal(schedulers.length, 1);
  t.equal(schedulers[0]?.key, BACKUP_MONITOR_SCHEDULER);
  t.equal(BACKUP_MONITOR_PATTERN, '23 * * * *', 'default: minute 23 of every hour');
});

t.test('no backup recorded: one stale_backup alert per org, throttled on repeat', async (t) => {
  const first = await checkNow();
  t.match(first, { status: 'missing', newestAt: null, orgsAlerted: 2 });
  let alerts = await staleAlerts();
  t.equal(alerts.length, 2, 'one alert for each org');
  t.same(alerts.map((a) => a.org_id).sort(), [orgA.orgId, orgB.orgId].sort());
  t.match(alerts[0]?.summary, /No database backup has been recorded/);
  t.match(alerts[0]?.details, { newestBackupAt: null, maxAgeHours: 26 });
  now = new Date(now.getTime() + 5 * 60_000);
  await checkNow();
  alerts = await staleAlerts();
  t.equal(alerts.length, 2, 'a repeat within the throttle window raises nothing new');
  t.same(alerts.map((a) => a.suppressed), [1, 1], 'it is counted on the alert instead');
  const audited = await ctx.db.withTenant(orgA.orgId, (q) => q.query("SELECT metadata FROM audit_events WHERE action = 'alert.raised'"));
  t.match(audited.rows, [{ metadata: { kind: 'stale_backup', severity: 'warning' } }], 'the alert is audited');
});

t.test('a fresh backup raises nothing', async (t) => {
  now = new Date(now.getTime() + HOUR);
  await recordBackup(new Date(now.getTime() - 2 * HOUR));
  const r = await checkNow();
  t.match(r, { status: 'fresh' });
  t.equal((await staleAlerts()).length, 2, 'no new alert');
});

t.test('the newest backup older than the limit: alerted again, with its age', async (t) => {
  now = new Date(now.getTime() + 25 * HOUR); // the backup is now 27 hours old
  const r = await checkNow();
  t.match(r, { status: 'stale', orgsAlerted: 2 });
  const alerts = await staleAlerts();
  t.equal(alerts.length, 4, 'one more per org (the throttle window is long over)');
  t.match(alerts[3]?.summary, /newest database backup is 27 hours old \(limit 26 hours\)/);
  t.match(alerts[3]?.details, { ageHours: 27, maxAgeHours: 26 });
  t.notMatch(JSON.stringify(alerts), /@/, 'no e-mail address or other PII in the alert');
});

t.test('BACKUPS_EXPECTED=false: never alerts, even with no backup at all', async (t) => {
  const outbound = createOutbound({ allowLoopback: false });
  t.teardown(() => outbound.close());
  const alerts = createAlertService({
    db: ctx.db,
    audit: ctx.audit,
    keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
    redis: ctx.redis,
    redisPrefix: ctx.services.redisPrefix,
    deliver: { enqueue: async () => undefined },
    nodeEnv: 'test',
    outbound,
    clock,
    log: createLogger('silent'),
  });
  await owner.query('DELETE FROM backup_runs');
  now = new Date(now.getTime() + 48 * HOUR);
  const monitor = createBackupMonitor({ db: ctx.db, alerts, expected: false, maxAgeMs: 26 * HOUR, clock, log: createLogger('silent') });
  t.same(await monitor.check(), { status: 'disabled' });
  t.equal((await staleAlerts()).length, 4, 'no new alert');
});

t.test('config: BACKUPS_EXPECTED defaults to true only in production; bad values are refused', async (t) => {
  t.same(ctx.config.backups, { expected: false, maxAgeMs: 26 * HOUR }, 'test/development default: off, 26 h');
  const env = { ...ctx.env, BACKUPS_EXPECTED: 'yes', BACKUP_MAX_AGE_HOURS: '0' };
  t.same(configProblems(() => loadConfig(env)), ['BACKUPS_EXPECTED must be true or false', 'BACKUP_MAX_AGE_HOURS must be an integer from 1 to 2160']);
  t.same(loadConfig({ ...ctx.env, BACKUPS_EXPECTED: 'true', BACKUP_MAX_AGE_HOURS: '50' }).backups, { expected: true, maxAgeMs: 50 * HOUR });
});

function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
