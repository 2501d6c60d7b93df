// `hirebox trust check|hide|unhide` (issue 23), loaded by server/cli.ts on demand.
//   trust check [--only a,b]      run every check now, store the results, print them; exit 0 only
//                                 if every line that is not hidden passes (the deploy proof uses it)
//   trust hide --check ID --reason TEXT   hide a line; the reason is shown on the page (owner role)
//   trust unhide --check ID               show it again (owner role)
import { commandArgs, keyringOf, print, UsageError, withDb, type Out } from '../../cli-support.js';
import { createAuditLog } from '../../core/audit.js';
import type { Config } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createOutbound } from '../../core/outbound.js';
import { createQueue, QUEUES } from '../../core/queues.js';
import { createRedis } from '../../core/redis.js';
import { queuedAlertService } from '../alerts/index.js';
import { hideCheck, unhideCheck } from './repo.js';
import { wireTrust } from './wire.js';
import { CHECK_IDS } from './checks.js';

function checkIds(): readonly string[] {
  return CHECK_IDS;
}

export async function runTrustCheck(config: Config, argv: string[], out: Out): Promise<number> {
  const v = commandArgs('trust check', argv, { only: { type: 'string' } });
  const known = checkIds();
  const only = v.only?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of only ?? []) if (!known.includes(id)) throw new UsageError(`trust check: unknown check ${id} (known: ${known.join(', ')})`);
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const logger = createLogger('silent');
    const redis = createRedis(config.redisUrl.reveal(), 'producer', { enableOfflineQueue: true });
    redis.on('error', () => undefined);
    const queue = createQueue(QUEUES.alertDeliver, redis, config.redisPrefix);
    const outbound = createOutbound({ allowLoopback: config.outbound.allowLoopback });
    try {
      const audit = createAuditLog({ db });
      const keyring = keyringOf(config);
      const alerts = queuedAlertService({ db, audit, keyring, redis, redisPrefix: config.redisPrefix, nodeEnv: config.nodeEnv, outbound, clock: () => new Date(), logger, queue });
      const trust = wireTrust({ db, config, keyring, clock: () => new Date(), logger, audit, alerts });
      await trust.run({ force: true, only });
      const doc = await trust.installDocument();
      const lines = doc.lines.filter((l) => !only || only.includes(l.id));
      const failing = lines.filter((l) => !l.ok && l.status !== 'hidden');
      const human = lines.map((l) => `${l.ok ? 'PASS' : l.status.toUpperCase().padEnd(4)}  ${l.id.padEnd(14)} ${l.summary}`).join('\n');
      print(out, `${human}\n${failing.length ? `${failing.length} of ${lines.length} check(s) not passing` : `all ${lines.length} check(s) pass`}`, { ok: failing.length === 0, failing: failing.map((l) => l.id), lines });
      return failing.length ? 1 : 0;
    } finally {
      await queue.close();
      await outbound.close();
      redis.disconnect();
    }
  });
}

export async function runTrustHide(config: Config, argv: string[], out: Out): Promise<number> {
  const v = commandArgs('trust hide', argv, { check: { type: 'string' }, reason: { type: 'string' } });
  if (!v.check || !checkIds().includes(v.check)) throw new UsageError(`trust hide needs --check with one of: ${checkIds().join(', ')}`);
  const reason = (v.reason ?? '').trim();
  if (reason.length < 10 || reason.length > 500 || /[\r\n]/.test(reason)) throw new UsageError('trust hide needs --reason: one line of 10 to 500 characters, shown on the trust page');
  const check = v.check;
  return withDb(config.migrationDatabaseUrl.reveal(), async (db) => {
    await hideCheck(db.pool, check, reason);
    await createAuditLog({ db }).recordPlatform({ action: 'trust.check_hidden', actor: { type: 'system' }, target: { type: 'trust_check', id: check }, metadata: { reason } });
    print(out, `hid ${check} on the trust page; it shows: "Hidden by the operator: ${reason}"`, { ok: true, check, reason });
    return 0;
  });
}

export async function runTrustUnhide(config: Config, argv: string[], out: Out): Promise<number> {
  const v = commandArgs('trust unhide', argv, { check: { type: 'string' } });
  if (!v.check || !checkIds().includes(v.check)) throw new UsageError(`trust unhide needs --check with one of: ${checkIds().join(', ')}`);
  const check = v.check;
  return withDb(config.migrationDatabaseUrl.reveal(), async (db) => {
    const removed = await unhideCheck(db.pool, check);
    if (removed) await createAuditLog({ db }).recordPlatform({ action: 'trust.check_unhidden', actor: { type: 'system' }, target: { type: 'trust_check', id: check } });
    print(out, removed ? `${check} is shown on the trust page again` : `${check} was not hidden`, { ok: true, check, removed });
    return 0;
  });
}
