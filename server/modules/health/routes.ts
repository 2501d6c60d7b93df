import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Redis } from 'ioredis';
import type { Db } from '../../core/db.js';
import { pendingMigrations, type MigrationFile } from '../../core/migrate.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Status = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });

export interface HealthDeps {
  db: Db;
  redis: Redis;
  migrations: MigrationFile[];
}

export async function healthRoutes(fastify: FastifyInstance, deps: HealthDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/healthz',
    { schema: { operationId: 'healthz', hide: true, response: { 200: Status } }, config: { access: { public: 'liveness probe' }, rateLimit: false } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { schema: { operationId: 'readyz', hide: true, response: { 200: Status, 503: Status } }, config: { access: { public: 'readiness probe' }, rateLimit: false } },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      await Promise.all([
        withTimeout(deps.db.query('SELECT 1'))
          .then(() => pendingMigrations((sql) => withTimeout(deps.db.query<{ filename: string }>(sql)), deps.migrations))
          .then(
            (pending) => {
              checks.postgres = 'ok';
              checks.migrations = pending.length === 0 ? 'ok' : `pending: ${pending.length}`;
            },
            () => {
              checks.postgres = checks.postgres ?? 'unavailable';
              checks.migrations = checks.migrations ?? 'unknown';
            },
          ),
        withTimeout(deps.redis.ping()).then(
          () => (checks.redis = 'ok'),
          () => (checks.redis = 'unavailable'),
        ),
      ]);
      const ok = Object.values(checks).every((v) => v === 'ok');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
    },
  );
}

function withTimeout<T>(promise: Promise<T>, ms = 2_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
