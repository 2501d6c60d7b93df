// Builds the trust service with its checks from config, for the app (pages), the worker
// (the trust-checks job) and the CLI (`hirebox trust check`), so all three run the same checks.
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import type { Logger } from 'pino';
import { createAuditLog, type AuditLog } from '../../core/audit.js';
import type { Config } from '../../core/config.js';
import type { Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import type { AlertSink } from '../alerts/index.js';
import { createAiDocsService } from '../aidocs/index.js';
import { createBiasService } from '../bias/index.js';
import type { Platform } from '../../plugins/platform.js';
import { createChecks } from './checks.js';
import { trustRoutes } from './routes.js';
import { createTrustService, type TrustService } from './service.js';

export interface TrustWireDeps {
  db: Db;
  config: Config;
  keyring: Keyring;
  clock: () => Date;
  logger: Logger;
  /** Platform chain writer (failing lines are recorded for the operator). */
  audit: AuditLog;
  alerts?: Pick<AlertSink, 'raise'>;
}

export function wireTrust(deps: TrustWireDeps): TrustService {
  const { config } = deps;
  // Checkpoints signed by retired keys still verify (AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES).
  const verifier = createAuditLog({ db: deps.db, verifyKeys: [createPublicKey(config.auditSigningKey.reveal()), ...config.auditPreviousPublicKeys] });
  const docs = createAiDocsService({ db: deps.db, config, clock: deps.clock });
  const bias = createBiasService({ db: deps.db, audit: deps.audit, keyring: deps.keyring, clock: deps.clock, log: deps.logger });
  // Read at each run, not once: with Caddy's internal CA (TLS_MODE=internal) the file only
  // appears once Caddy has started, which may be after this process.
  let warned = false;
  const selfCa = (): Buffer | null => {
    if (!config.trust.selfCaFile) return null;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- operator config (TRUST_SELF_CA_FILE), never a request
      return readFileSync(config.trust.selfCaFile);
    } catch {
      if (!warned) deps.logger.warn({ file: config.trust.selfCaFile }, 'TRUST_SELF_CA_FILE cannot be read; the TLS check uses the system CAs');
      warned = true;
      return null;
    }
  };
  const checks = createChecks({ db: deps.db, config, audit: verifier, docs, bias, clock: deps.clock, selfCa });
  return createTrustService({ db: deps.db, checks, signingKey: config.auditSigningKey.reveal(), publicUrl: config.publicUrl, clock: deps.clock, log: deps.logger, alerts: deps.alerts, audit: deps.audit, docs });
}

/** The trust page (/trust, signed /trust.json, per-org /trust/<slug>; issue 23); the worker runs the checks. */
export async function wireTrustPage(p: Platform, w: { alerts: Pick<AlertSink, 'raise'> }): Promise<void> {
  const trust = wireTrust({ db: p.db, config: p.config, keyring: p.keyring, clock: p.clock, logger: p.logger, audit: p.audit, alerts: w.alerts });
  await p.app.register(trustRoutes, { clock: p.clock, trust });
}
