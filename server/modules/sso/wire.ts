// Wires single sign-on (OIDC) and its domain-ownership checks.
import type { Platform } from '../../plugins/platform.js';
import type { CookiePolicy } from '../../plugins/access.js';
import type { SessionService } from '../auth/index.js';
import { ssoRoutes, type SsoRouteDeps } from './routes.js';
import type { TxtResolver } from './service.js';

export async function wireSso(p: Platform, w: { sessions: SessionService; cookie: CookiePolicy; accounts: SsoRouteDeps['accounts']; dns?: TxtResolver }): Promise<void> {
  const { config } = p;
  await p.app.register(ssoRoutes, {
    db: p.db,
    audit: p.audit,
    redis: p.redis,
    redisPrefix: config.redisPrefix,
    sessions: w.sessions,
    keyring: p.keyring,
    publicUrl: config.publicUrl,
    nodeEnv: config.nodeEnv,
    outbound: p.outbound,
    cookie: w.cookie,
    logger: p.logger,
    accounts: w.accounts,
    dns: w.dns,
    publicOrigin: config.publicOrigin,
    clock: p.clock,
  });
}
