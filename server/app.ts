// buildApp(deps) builds the HTTP application and does not listen. No side effects at
// import time: everything it uses arrives in deps. It builds the platform (server/core/
// platform.ts), then wires each module in order; services one module makes for others
// (alerts, accounts, hiring, interviews, rights, status-page links) are passed explicitly.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from './core/audit.js';
import type { Config } from './core/config.js';
import { createKeyring } from './core/crypto.js';
import type { Db } from './core/db.js';
import { createErasureLedger } from './core/erasure-ledger.js';
import type { Mailer } from './core/mailer.js';
import type { Metrics } from './core/metrics.js';
import type { MigrationFile } from './core/migrate.js';
import { createOutbound, type Resolver } from './core/outbound.js';
import { createPlatform } from './plugins/platform.js';
import { createHttpApp, registerHttpKernel } from './http.js';
import { createModelProvider } from './modules/model-providers/index.js';
import { wireAiDocs } from './modules/aidocs/index.js';
import { wireAlerts } from './modules/alerts/index.js';
import { wireAnalytics } from './modules/analytics/index.js';
import { wireAudit } from './modules/audit/index.js';
import { createAuthLimiter, type LimitPolicy } from './modules/auth/index.js';
import { createPasswordHasher, type PasswordHasher } from './modules/auth/index.js';
import { wireAuth } from './modules/auth/index.js';
import { wireBias } from './modules/bias/index.js';
import { wireBranding } from './modules/branding/index.js';
import { wireCalendarFeed } from './modules/calendar-feed/index.js';
import { wireEventHooks } from './modules/event-hooks/index.js';
import { wireHealth } from './modules/health/index.js';
import { wireHiring } from './modules/hiring/index.js';
import { wireInterviews } from './modules/interviews/index.js';
import { wireMembers } from './modules/members/index.js';
import { wirePortal, wirePortalLinks } from './modules/portal/index.js';
import { wirePrivacy } from './modules/privacy/index.js';
import { wireCareers } from './modules/public/index.js';
import { wireRights } from './modules/rights/index.js';
import { wireScreening } from './modules/screening/index.js';
import type { TxtResolver } from './modules/sso/index.js';
import { wireSso } from './modules/sso/index.js';
import { wireTriage } from './modules/triage/index.js';
import { wireTrustPage } from './modules/trust/index.js';
import { wireWeb } from './modules/web/index.js';
import { wireWellKnown } from './modules/wellknown/index.js';

export { BODY_LIMIT_BYTES } from './http.js';

export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  audit: AuditLog;
  logger: Logger;
  mailer: Mailer;
  migrations: MigrationFile[];
  clock?: () => Date;
  /** argon2id by default; tests wrap it to count hashes. */
  hasher?: PasswordHasher;
  /** Brute-force policy overrides (tests use short locks). */
  authLimits?: Partial<LimitPolicy>;
  /** First retry delay of alert deliveries (tests use a short one); 10 s by default. */
  alertRetryDelayMs?: number;
  /** DNS for tenant-set URLs (issue 14 M3); the system resolver by default, tests map names to chosen addresses. */
  outboundResolver?: Resolver;
  /** TXT look-ups for SSO domain ownership; the system resolver by default. */
  dnsResolver?: TxtResolver;
  /** Backoff and attempts of vapi-delete jobs queued by erasures (tests use short ones); VAPI_DELETE_JOB_OPTIONS by default. */
  vapiDeleteJob?: { backoffMs?: number; attempts?: number };
  /** Requests per minute per API token (tests use a small one). */
  tokenRateLimit?: number;
  /** issue 19: Prometheus request latency by route; served by main.ts on the internal metrics port, never by this app. */
  metrics?: Metrics;
  /** Requests per minute per IP on each careers-site route (tests use a small one). */
  careersRateLimit?: number;
  /** issue 22: status-page limits (tests use small ones): link asks per address per hour and per IP per minute, downloads per candidate per hour. */
  portalLimits?: { perEmailPerHour?: number; perIpPerMinute?: number; exportsPerHour?: number };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const app = createHttpApp(config, deps.logger);
  const { sessions, sessionCookie } = await registerHttpKernel(app, { ...deps, clock });
  const masterKeys = { masterKey: config.masterKey.reveal(), previousMasterKeys: config.previousMasterKeys.reveal() };
  // One outbound guard per process for every URL a tenant can set.
  const outbound = createOutbound({ allowLoopback: config.outbound.allowLoopback, resolver: deps.outboundResolver });
  app.addHook('onClose', async () => outbound.close());
  const platform = createPlatform({
    app,
    config,
    db: deps.db,
    redis: deps.redis,
    audit: deps.audit,
    logger: deps.logger,
    mailer: deps.mailer,
    clock,
    // One keyring per process (one org-key cache), holding the previous master keys too so data
    // wrapped before a `hirebox keys rotate` stays readable during the roll-out.
    keyring: createKeyring(masterKeys),
    outbound,
    erasureLedger: createErasureLedger({ file: config.erasureLedgerFile, ...masterKeys }),
  });
  const hashing = config.passwordHashing;
  let hasher = deps.hasher;
  if (!hasher) {
    const own = createPasswordHasher({ cpuShare: hashing.cpuShare, minPerSecond: hashing.minPerSecond, maxPerSecond: hashing.perSecond ?? undefined });
    // The operator sees what the calibration gave (the budget a sign-in flood meets).
    void own.calibrated.then((perSecond) => deps.logger.info({ hashesPerSecond: Math.round(perSecond * 10) / 10, cpuShare: hashing.perSecond === null ? hashing.cpuShare : null }, 'sign-in hash budget'));
    hasher = own;
  }
  const limiter = createAuthLimiter({ redis: deps.redis, prefix: config.redisPrefix, policy: deps.authLimits });

  await wireHealth(platform, deps.migrations);
  await wireWellKnown(platform);
  const alerts = await wireAlerts(platform, { retryDelayMs: deps.alertRetryDelayMs });
  const accounts = await wireAuth(platform, { sessions, cookie: sessionCookie, limiter, hasher, alerts });
  await wireMembers(platform, { sessions, limiter, hasher });
  await wireSso(platform, { sessions, cookie: sessionCookie, accounts, dns: deps.dnsResolver });
  await wireAudit(platform);
  const portalLinks = wirePortalLinks(platform, { perEmailPerHour: deps.portalLimits?.perEmailPerHour });
  const hiring = await wireHiring(platform, { alerts, afterSubmit: portalLinks.afterSubmit });
  await wireScreening(platform, { alerts });
  await wireWeb(platform);
  // Interview plans are drafted in the request (a recruiter waits for the draft), with the
  // same provider and default model as screening: OpenAI, or the simulation outside production.
  const interviews = await wireInterviews(platform, { alerts, planModel: { provider: createModelProvider(config), model: config.openai.model } });
  await wireCalendarFeed(platform);
  await wireBias(platform, { alerts });
  await wirePrivacy(platform, { vapiDeleteJob: deps.vapiDeleteJob });
  const rights = await wireRights(platform);
  await wirePortal(platform, { ...hiring, interviews, rights, links: portalLinks, secureCookie: sessionCookie.secure, limits: deps.portalLimits });
  await wireAiDocs(platform);
  await wireEventHooks(platform);
  await wireBranding(platform);
  await wireCareers(platform, { rateLimit: deps.careersRateLimit });
  await wireTriage(platform);
  await wireTrustPage(platform, { alerts });
  await wireAnalytics(platform);
  return app;
}
