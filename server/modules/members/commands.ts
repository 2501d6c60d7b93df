// `hirebox user mfa-reset --email E | --user ID`: the operator resets a person's MFA
// (server/modules/members/operator.ts). Loaded by server/cli.ts on demand.
import { commandArgs, print, UsageError, uuidOption, withDb, type Out } from '../../cli-support.js';
import { createAuditLog } from '../../core/audit.js';
import type { Config } from '../../core/config.js';
import { createRedis } from '../../core/redis.js';
import { createSessionService } from '../auth/index.js';
import { createOperatorAccountService } from './operator.js';

export async function runUserMfaReset(config: Config, argv: string[], out: Out): Promise<number> {
  const command = 'user mfa-reset';
  const v = commandArgs(command, argv, { email: { type: 'string' }, user: { type: 'string' } });
  const userId = uuidOption(command, 'user', v.user, true);
  const email = v.email?.trim();
  if ((email ? 1 : 0) + (userId ? 1 : 0) !== 1) throw new UsageError('user mfa-reset needs exactly one of --email E or --user ID');
  return withDb(config.databaseUrl.reveal(), async (db) => {
    // Revocations reach every app process's session cache through Redis (best effort: the cache lives 5 s).
    const redis = createRedis(config.redisUrl.reveal(), 'producer', { enableOfflineQueue: true });
    redis.on('error', () => undefined);
    try {
      const sessions = createSessionService({ db, clock: () => new Date(), redis, redisPrefix: config.redisPrefix });
      const operator = createOperatorAccountService({ db, audit: createAuditLog({ db }), sessions });
      const r = await operator.resetMfa(email ? { email } : { userId: userId as string });
      print(out, `reset MFA of user ${r.userId}: authenticator and recovery codes cleared, ${r.sessionsRevoked} session(s) revoked; member of ${r.orgIds.length} org(s), each audited; they enrol again at next sign-in`, { ok: true, ...r });
      return 0;
    } finally {
      redis.disconnect();
    }
  });
}
