// Wires sign-in, sign-up and account routes; returns the auth service (SSO proves accounts through it).
import type { Platform } from '../../plugins/platform.js';
import type { CookiePolicy } from '../../plugins/access.js';
import type { AlertService } from '../alerts/index.js';
import type { AuthLimiter } from './limits.js';
import type { PasswordHasher } from './passwords.js';
import { createDeviceCookies } from './devices.js';
import { authRoutes } from './routes.js';
import { createAuthService, type SessionService } from './service.js';
import { createUserSecretBox } from './totp.js';

export interface AuthWiring {
  sessions: SessionService;
  cookie: CookiePolicy;
  limiter: AuthLimiter;
  hasher: PasswordHasher;
  alerts: AlertService;
}

export async function wireAuth(p: Platform, w: AuthWiring) {
  const { config } = p;
  const auth = createAuthService({
    db: p.db,
    audit: p.audit,
    mailer: p.mailer,
    sessions: w.sessions,
    limiter: w.limiter,
    hasher: w.hasher,
    // TOTP secrets are sealed under a key derived from the master keys (not an org key).
    secrets: createUserSecretBox(config.masterKey.reveal(), config.previousMasterKeys.reveal()),
    devices: createDeviceCookies(config.masterKey.reveal(), config.previousMasterKeys.reveal()),
    publicUrl: config.publicUrl,
    clock: p.clock,
    log: p.logger,
    alerts: w.alerts,
  });
  await p.app.register(authRoutes, { db: p.db, auth, cookie: w.cookie, publicOrigin: config.publicOrigin });
  return auth;
}
