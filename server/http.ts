// The HTTP kernel every module's routes sit on: the Fastify instance (request ids, body
// limit, ajv, problem+json for router errors, connection close while draining) and the
// plugins registered before any module — problems, metrics, input text, security headers,
// cookies, locale, API tokens and rate limits, sessions and the access guard, OpenAPI and
// idempotency keys. buildApp (app.ts) calls these, then wires the modules.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from './core/audit.js';
import type { Config } from './core/config.js';
import type { Db } from './core/db.js';
import type { Metrics } from './core/metrics.js';
import { accessPlugin, cookiePolicy, createBearerResolver, type CookiePolicy } from './plugins/access.js';
import { idempotencyPlugin } from './plugins/idempotency.js';
import { inputTextPlugin } from './plugins/input-text.js';
import { localePlugin } from './plugins/locale.js';
import { metricsPlugin } from './plugins/metrics.js';
import { openapiPlugin } from './plugins/openapi.js';
import { frameworkErrorHandler, problemPlugin } from './plugins/problem.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { createDenialRecorder } from './modules/audit/index.js';
import { createSessionService, type SessionService } from './modules/auth/index.js';
import { tokenRoutes } from './modules/tokens/index.js';
import { createTokenService } from './modules/tokens/index.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Fastify's own response serializer builder, compiling each schema object once. Fastify
 * compiles a serializer for every status code of every route, and most of those are the
 * same shared object (the problem+json schema, under every route's 4xx and 5xx codes):
 * compiled anew each time, they made up most of the app's start-up CPU (~0.6 s of
 * fast-json-stringify per app, paid again by every test file). A serializer depends only on
 * its schema and the builder's external schemas and options, which are per factory call,
 * so the cache is too.
 */
function serializerPerSchema(): SerializerFactory {
  const build = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    const compiled = new WeakMap<object, ReturnType<typeof compile>>();
    return (route) => {
      const schema = route.schema;
      if (typeof schema !== 'object' || schema === null) return compile(route);
      const cached = compiled.get(schema);
      if (cached) return cached;
      const serializer = compile(route);
      compiled.set(schema, serializer);
      return serializer;
    };
  };
}

export function createHttpApp(config: Config, logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
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
    schemaController: { compilersFactory: { buildSerializer: serializerPerSchema() } },
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
  return app;
}

export interface HttpKernelDeps {
  config: Config;
  db: Db;
  redis: Redis;
  audit: AuditLog;
  logger: Logger;
  clock: () => Date;
  metrics?: Metrics;
  /** Requests per minute per API token (tests use a small one). */
  tokenRateLimit?: number;
}

/** Registers the plugins every module relies on; returns the session service and cookie policy the account modules use. */
export async function registerHttpKernel(app: FastifyInstance, deps: HttpKernelDeps): Promise<{ sessions: SessionService; sessionCookie: CookiePolicy }> {
  const { config, clock } = deps;
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
  return { sessions, sessionCookie };
}
