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
import { accessPlugin } from './plugins/access.js';
import { openapiPlugin } from './plugins/openapi.js';
import { problemPlugin } from './plugins/problem.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { auditRoutes } from './modules/audit/routes.js';
import { createAuditService } from './modules/audit/service.js';
import { authRoutes } from './modules/auth/routes.js';
import { createSessionService } from './modules/auth/service.js';
import { healthRoutes } from './modules/health/routes.js';

export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  audit: AuditLog;
  logger: Logger;
  mailer: Mailer;
  migrations: MigrationFile[];
  clock?: () => Date;
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
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(problemPlugin, { exposeStack: config.nodeEnv === 'development' });
  await app.register(securityHeadersPlugin);
  await app.register(cookie);
  await app.register(rateLimitPlugin, { redis: deps.redis, redisPrefix: config.redisPrefix });
  const sessions = createSessionService({ db: deps.db, clock });
  await app.register(accessPlugin, { sessions, audit: deps.audit, publicOrigin: config.publicOrigin });
  await app.register(openapiPlugin);

  await app.register(healthRoutes, { db: deps.db, redis: deps.redis, migrations: deps.migrations });
  await app.register(authRoutes, { db: deps.db, clock });
  await app.register(auditRoutes, { audit: createAuditService({ db: deps.db, audit: deps.audit }) });

  return app;
}
