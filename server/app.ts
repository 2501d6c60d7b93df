// buildApp(deps) builds the HTTP application and does not listen. No side effects at
// import time: everything it uses arrives in deps.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from './core/audit.js';
import type { Config } from './core/config.js';
import type { Db } from './core/db.js';
import type { Mailer } from './core/mailer.js';
import type { MigrationFile } from './core/migrate.js';
import { createOutbound, type Resolver } from './core/outbound.js';
import { accessPlugin, cookiePolicy, createBearerResolver } from './plugins/access.js';
import { idempotencyPlugin } from './plugins/idempotency.js';
import { tokenRoutes } from './modules/tokens/routes.js';
import { createTokenService } from './modules/tokens/service.js';
import { openapiPlugin } from './plugins/openapi.js';
import { frameworkErrorHandler, problemPlugin } from './plugins/problem.js';
import { inputTextPlugin } from './plugins/input-text.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { hiringRoutes } from './modules/applications/wire.js';
import { auditRoutes } from './modules/audit/routes.js';
import { createAuditService } from './modules/audit/service.js';
import { createDenialRecorder } from './modules/audit/denials.js';
import { createAuthLimiter, type LimitPolicy } from './modules/auth/limits.js';
import { createPasswordHasher, type PasswordHasher } from './modules/auth/passwords.js';
import { authRoutes } from './modules/auth/routes.js';
import { createAuthService, createSessionService } from './modules/auth/service.js';
import { createUserSecretBox } from './modules/auth/totp.js';
import { membersRoutes } from './modules/members/routes.js';
import { createMembersService } from './modules/members/service.js';
import { healthRoutes } from './modules/health/routes.js';
import { wellKnownRoutes } from './modules/wellknown/routes.js';
import { ssoRoutes } from './modules/sso/routes.js';
import type { TxtResolver } from './modules/sso/service.js';
import { interviewRoutes } from './modules/interviews/wire.js';
import { createModelProvider } from './modules/ai/providers/index.js';
import { screeningRoutes } from './modules/screening/routes.js';
import { webRoutes } from './modules/web/routes.js';
import { alertRoutes } from './modules/alerts/routes.js';
import { wireAlerts } from './modules/alerts/wire.js';
import { eventHookRoutes } from './modules/event-hooks/routes.js';
import { createEventHookService } from './modules/event-hooks/service.js';
import { eventHookProducer } from './modules/event-hooks/wire.js';
import { createQueue, QUEUES } from './core/queues.js';
import { biasRoutes } from './modules/bias/routes.js';
import { createBiasService } from './modules/bias/service.js';
import { createKeyring } from './core/crypto.js';
import { createErasureLedger } from './core/erasure-ledger.js';
import { createPostgresBlobStore } from './core/storage.js';
import { privacyRoutes } from './modules/privacy/routes.js';
import { createPrivacyService } from './modules/privacy/service.js';
import { vapiDeletionProducer } from './modules/interviews/deletions.js';
import { rightsRoutes } from './modules/rights/routes.js';
import { aiDocsRoutes } from './modules/aidocs/routes.js';
import { createAiDocsService } from './modules/aidocs/service.js';
import { createRightsService } from './modules/rights/service.js';
import type { Metrics } from './core/metrics.js';
import { metricsPlugin } from './plugins/metrics.js';
import { brandingRoutes } from './modules/branding/routes.js';
import { createBrandingService } from './modules/branding/service.js';
import { careersRoutes } from './modules/public/careers.js';
import { triageRoutes } from './modules/triage/routes.js';
import { createTriageService } from './modules/triage/service.js';
import { trustRoutes } from './modules/trust/routes.js';
import { wireTrust } from './modules/trust/wire.js';
import { analyticsRoutes } from './modules/analytics/routes.js';
import { createPortalLinks } from './modules/portal/links.js';
import { localePlugin } from './plugins/locale.js';
import { portalOrgById, registerPortal } from './modules/portal/wire.js';
import type { ApplicationService } from './modules/applications/service.js';
import type { CandidateExportService } from './modules/messages/export.js';
import type { InterviewService } from './modules/interviews/service.js';
import { createAnalyticsService } from './modules/analytics/service.js';

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

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;
export const BODY_LIMIT_BYTES = 1024 * 1024;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    requestIdHeader: false,
    // Behind Caddy a request id may arrive in x-request-id; accept only a sane shape.
    genReqId: (req) => {
      const incoming = config.trustProxy ? req.headers['x-request-id'] : undefined;
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: 'all', coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Router errors (over-long path parameter, bad percent-encoding) leave as problem+json too.
    frameworkErrors: frameworkErrorHandler,
  });

  // While shutting down, answers to in-flight requests close their connection, so a
  // keep-alive socket (e.g. from Caddy) cannot hold the drain open until its timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });

  await app.register(problemPlugin, { exposeStack: config.nodeEnv === 'development' });
  if (deps.metrics) await app.register(metricsPlugin, { metrics: deps.metrics });
  // Before every route: NUL and unpaired surrogates are refused with 400 (issue 14 L2).
  await app.register(inputTextPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(cookie);
  // issue 22: candidate-facing requests carry the candidate's language (errors included).
  await app.register(localePlugin);
  // issue 20: API tokens (Authorization: Bearer), resolved once per request for the rate
  // limiter (keyed per token) and the access guard.
  const tokens = createTokenService({ db: deps.db, audit: deps.audit, clock, log: deps.logger });
  const bearer = createBearerResolver(tokens);
  await app.register(rateLimitPlugin, { redis: deps.redis, redisPrefix: config.redisPrefix, bearer, tokenMax: deps.tokenRateLimit });
  const sessions = createSessionService({ db: deps.db, clock, redis: deps.redis, redisPrefix: config.redisPrefix });
  // Revocations made by any app process evict this process's session cache.
  const revocations = deps.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  revocations.on('error', () => undefined);
  revocations.on('message', (_channel: string, message: string) => {
    try {
      sessions.evict(JSON.parse(message) as string[]);
    } catch {
      // ignore malformed messages
    }
  });
  await revocations.subscribe(sessions.channel).catch(() => undefined);
  app.addHook('onClose', async () => {
    revocations.disconnect();
  });
  const sessionCookie = cookiePolicy(config.publicUrl, config.nodeEnv);
  await app.register(accessPlugin, { sessions, denials: createDenialRecorder({ db: deps.db, audit: deps.audit, clock }), publicOrigin: config.publicOrigin, cookie: sessionCookie, tokens: bearer });
  await app.register(openapiPlugin, { publicUrl: config.publicUrl, sessionCookieName: sessionCookie.name });
  await app.register(idempotencyPlugin, { redis: deps.redis, redisPrefix: config.redisPrefix });
  await app.register(tokenRoutes, { tokens });

  await app.register(healthRoutes, { db: deps.db, redis: deps.redis, migrations: deps.migrations });
  await app.register(wellKnownRoutes, { config, clock });
  const hasher = deps.hasher ?? createPasswordHasher();
  const limiter = createAuthLimiter({ redis: deps.redis, prefix: config.redisPrefix, policy: deps.authLimits });
  // One keyring per process (one org-key cache), holding the previous master keys too so data
  // wrapped before a `hirebox keys rotate` stays readable during the roll-out.
  const keyring = createKeyring({ masterKey: config.masterKey.reveal(), previousMasterKeys: config.previousMasterKeys.reveal() });
  // One guard for every request to a URL a tenant can set (alert webhooks, SSO issuers).
  const outbound = createOutbound({ allowLoopback: config.outbound.allowLoopback, resolver: deps.outboundResolver });
  app.addHook('onClose', async () => outbound.close());
  // issue 18: every erasure is also written to the ledger outside the database (a restore re-applies it).
  const erasureLedger = createErasureLedger({ file: config.erasureLedgerFile, masterKey: config.masterKey.reveal(), previousMasterKeys: config.previousMasterKeys.reveal() });
  const alerts = wireAlerts(app, {
    db: deps.db,
    audit: deps.audit,
    keyring,
    redis: deps.redis,
    redisPrefix: config.redisPrefix,
    nodeEnv: config.nodeEnv,
    outbound,
    clock,
    logger: deps.logger,
    retryDelayMs: deps.alertRetryDelayMs,
  });
  await app.register(alertRoutes, { alerts });
  const auth = createAuthService({
    db: deps.db,
    audit: deps.audit,
    mailer: deps.mailer,
    sessions,
    limiter,
    hasher,
    secrets: createUserSecretBox(config.masterKey.reveal(), config.previousMasterKeys.reveal()),
    publicUrl: config.publicUrl,
    clock,
    log: deps.logger,
    alerts,
  });
  await app.register(authRoutes, { db: deps.db, auth, cookie: sessionCookie, publicOrigin: config.publicOrigin });
  const members = createMembersService({ db: deps.db, audit: deps.audit, mailer: deps.mailer, sessions, limiter, hasher, publicUrl: config.publicUrl, clock });
  await app.register(membersRoutes, { members });
  await app.register(ssoRoutes, {
    db: deps.db,
    audit: deps.audit,
    redis: deps.redis,
    redisPrefix: config.redisPrefix,
    sessions,
    masterKey: config.masterKey.reveal(),
    keyring,
    publicUrl: config.publicUrl,
    nodeEnv: config.nodeEnv,
    outbound,
    cookie: sessionCookie,
    logger: deps.logger,
    accounts: auth,
    dns: deps.dnsResolver,
    publicOrigin: config.publicOrigin,
    clock,
  });
  await app.register(auditRoutes, { audit: createAuditService({ db: deps.db, audit: deps.audit }) });
  // issue 22 item 2: status-page links are mailed after a public application (hook below).
  const portalLinks = createPortalLinks({
    db: deps.db,
    audit: deps.audit,
    keyring,
    mailer: deps.mailer,
    redis: deps.redis,
    redisPrefix: config.redisPrefix,
    publicUrl: config.publicUrl,
    clock,
    logger: deps.logger,
    perEmailPerHour: deps.portalLimits?.perEmailPerHour,
    orgOf: (orgId) => portalOrgById(deps.db, orgId),
  });
  let hiring: { applications: ApplicationService; exports: CandidateExportService } | null = null;
  let interviewService: InterviewService | null = null;
  await app.register(hiringRoutes, {
    db: deps.db,
    audit: deps.audit,
    redis: deps.redis,
    logger: deps.logger,
    masterKey: config.masterKey.reveal(),
    keyring,
    erasureLedger,
    redisPrefix: config.redisPrefix,
    publicUrl: config.publicUrl,
    mailer: deps.mailer,
    alerts,
    intake: config.intake,
    afterSubmit: portalLinks.afterSubmit,
    expose: (services) => {
      hiring = services;
    },
  });
  await app.register(screeningRoutes, {
    db: deps.db,
    audit: deps.audit,
    masterKey: config.masterKey.reveal(),
    keyring,
    redis: deps.redis,
    redisPrefix: config.redisPrefix,
    publicUrl: config.publicUrl,
    clock,
    alerts,
  });
  await app.register(webRoutes);
  await app.register(interviewRoutes, {
    db: deps.db,
    audit: deps.audit,
    redis: deps.redis,
    logger: deps.logger,
    mailer: deps.mailer,
    masterKey: config.masterKey.reveal(),
    keyring,
    redisPrefix: config.redisPrefix,
    publicUrl: config.publicUrl,
    mailFrom: config.mailFrom,
    vapiBaseUrl: config.vapi.baseUrl,
    assistantModel: config.vapi.assistantModel,
    // Interview plans are drafted in the request (a recruiter waits for the draft), with the
    // same provider and default model as screening: OpenAI, or the simulation outside production.
    planModel: { provider: createModelProvider(config), model: config.openai.model },
    clock,
    alerts,
    expose: (interviews) => {
      interviewService = interviews;
    },
  });
  // DESIGN §8: bias report and thresholds (the monitor runs in the worker).
  await app.register(biasRoutes, { bias: createBiasService({ db: deps.db, audit: deps.audit, keyring, alerts, clock, log: deps.logger }) });

  // DESIGN §9: data subject requests (erasure on request; exports are in the candidates module and the CLI).
  // issue 18: an erasure queues the deletion of the candidate's calls at Vapi (the worker's sweep catches a lost enqueue).
  const vapiDeleteQueue = createQueue(QUEUES.vapiDelete, deps.redis, config.redisPrefix);
  app.addHook('onClose', async () => vapiDeleteQueue.close());
  const vapiDeletions = vapiDeletionProducer(vapiDeleteQueue, deps.vapiDeleteJob);
  await app.register(privacyRoutes, { privacy: createPrivacyService({ db: deps.db, audit: deps.audit, keyring, blobs: createPostgresBlobStore(), ledger: erasureLedger, clock, vapiDeletions, logger: deps.logger }) });

  // Issue 18 item 6: the privacy-request register and rectification.
  const rights = createRightsService({ db: deps.db, audit: deps.audit, keyring, clock });
  await app.register(rightsRoutes, { rights });
  // Issue 22 item 2: the candidate status page, acting through the hiring, interview, export and register services.
  if (!hiring || !interviewService) throw new Error('the hiring and interview modules did not hand over their services');
  const { applications: portalApplications, exports: portalExports } = hiring;
  await registerPortal(app, {
    db: deps.db,
    audit: deps.audit,
    redis: deps.redis,
    redisPrefix: config.redisPrefix,
    clock,
    applications: portalApplications,
    interviews: interviewService,
    exports: portalExports,
    rights,
    exportsPerHour: deps.portalLimits?.exportsPerHour,
    links: portalLinks,
    publicOrigin: config.publicOrigin,
    secureCookie: sessionCookie.secure,
    linkRateLimit: deps.portalLimits?.perIpPerMinute,
  });
  // Issue 18 item 10: AI system card, subprocessors and record of processing from live config; the public summary.
  const docsBias = createBiasService({ db: deps.db, audit: deps.audit, keyring, clock, log: deps.logger });
  await app.register(aiDocsRoutes, { docs: createAiDocsService({ db: deps.db, config, clock }), biasReport: (ctx) => docsBias.report(ctx, {}) });

  // issue 20: outbound event webhooks (subscriptions here; deliveries in the worker).
  const eventHookQueue = createQueue(QUEUES.eventHookDeliver, deps.redis, config.redisPrefix);
  app.addHook('onClose', async () => eventHookQueue.close());
  const eventHooks = createEventHookService({ db: deps.db, audit: deps.audit, keyring, outbound, nodeEnv: config.nodeEnv, deliver: eventHookProducer(eventHookQueue), clock });
  await app.register(eventHookRoutes, { eventHooks });

  // issue 20 item 4: the careers site (/jobs/<org>, sitemap, embed, JSON feed) and its branding.
  await app.register(brandingRoutes, { branding: createBrandingService({ db: deps.db, audit: deps.audit }) });
  await app.register(careersRoutes, { db: deps.db, publicUrl: config.publicUrl, rateLimit: deps.careersRateLimit });
  // issue 21: saved pipeline views, job visits and job summaries.
  await app.register(triageRoutes, { triage: createTriageService({ db: deps.db, clock }) });
  // issue 23: the trust page (/trust, signed /trust.json, per-org /trust/<slug>); the worker runs the checks.
  await app.register(trustRoutes, { clock, trust: wireTrust({ db: deps.db, config, keyring, clock, logger: deps.logger, audit: deps.audit, alerts }) });

  // issue 21 item 3: hiring analytics (funnel, time in stage, time to hire, AI agreement; JSON and CSV).
  await app.register(analyticsRoutes, { analytics: createAnalyticsService({ db: deps.db, clock }) });

  return app;
}
