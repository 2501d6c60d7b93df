// Builds the real app against real Postgres and Redis (a throwaway database per test
// file) with the same buildApp the server uses. Logs are captured for assertions.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { Redis } from 'ioredis';
import { buildApp, type AppDeps } from '../server/app.js';
import { createAuditLog, type AuditLog } from '../server/core/audit.js';
import { loadConfig, type Config } from '../server/core/config.js';
import { createDb, type Db } from '../server/core/db.js';
import { createLogger } from '../server/core/logger.js';
import { createMailer, type Mailer } from '../server/core/mailer.js';
import { readMigrationFiles } from '../server/core/migrate.js';
import type { Role } from '../server/core/permissions.js';
import { createSessionService } from '../server/modules/auth/service.js';
import { csrfTokenFor } from '../server/core/tokens.js';
import { insertUserWithPassword } from '../server/modules/auth/repo.js';
import { upsertMembership } from '../server/modules/orgs/repo.js';
import { createOrgService } from '../server/modules/orgs/service.js';
import { getNoticeSettings, upsertNoticeSettings } from '../server/modules/notices/repo.js';
import { cookiePolicy } from '../server/plugins/access.js';
import { writeTestKeys } from './support/keys.js';
import { provisionTestServices, type Teardownable, type TestServices } from './support/services.js';

export const PUBLIC_URL = 'http://localhost:3000';
export const ORIGIN = 'http://localhost:3000';

export interface TestContext {
  app: FastifyInstance;
  db: Db;
  redis: Redis;
  audit: AuditLog;
  config: Config;
  services: TestServices;
  /** Every log line the app wrote, as raw JSON text. */
  logs: string[];
  env: Record<string, string>;
  /** Mail the app sent (outbox transport). */
  mailer: Mailer;
}

export function testEnv(services: TestServices, keys: { masterKeyFile: string; auditSigningKeyFile: string; dir: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PUBLIC_URL,
    DATABASE_URL: services.databaseUrl,
    MIGRATION_DATABASE_URL: services.migrationDatabaseUrl,
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: services.redisPrefix,
    MASTER_KEY_FILE: keys.masterKeyFile,
    AUDIT_SIGNING_KEY_FILE: keys.auditSigningKeyFile,
    AI_PROVIDER: 'simulated',
    HIREBOX_DATA_DIR: keys.dir,
    LOG_LEVEL: 'info',
    // Tests apply many times to one job within a minute; the per-minute burst cap has its own
    // test (intake-burst), which sets it from the hourly rate as production does.
    APPLY_BURST_PER_JOB_MINUTE: '100000',
    // Tests sign in many times a second; the calibrated budget (a quarter of a core) is for production.
    PASSWORD_HASHES_PER_SECOND: '1000',
    ...extra,
  };
}

export async function buildTestApp(
  t: Teardownable,
  options: { env?: Record<string, string>; clock?: () => Date; /** Mail through this SMTP server instead of the outbox. */ smtpUrl?: string; appDeps?: Partial<Pick<AppDeps, 'hasher' | 'authLimits' | 'alertRetryDelayMs' | 'outboundResolver' | 'dnsResolver' | 'vapiDeleteJob' | 'tokenRateLimit' | 'metrics' | 'careersRateLimit' | 'portalLimits'>> } = {},
): Promise<TestContext> {
  const services = await provisionTestServices(t);
  const keys = writeTestKeys(t);
  const env = testEnv(services, keys, options.env);
  const config = loadConfig(env);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(config.logLevel, { process: 'test' }, sink);
  const db = createDb({ connectionString: config.databaseUrl.reveal(), max: 10 });
  const redis = new Redis(config.redisUrl.reveal(), { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  const audit = createAuditLog({ db, signingKey: config.auditSigningKey.reveal(), clock: options.clock });
  const mailer = createMailer({ smtpUrl: options.smtpUrl ?? null, from: config.mailFrom, outboxDir: keys.dir });
  const app = await buildApp({ config, db, redis, audit, logger, mailer, migrations: readMigrationFiles(), clock: options.clock, ...options.appDeps });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await db.close();
    redis.disconnect();
  });
  return { app, db, redis, audit, config, services, logs, env, mailer };
}

/** A connection as the migration owner (sees every org's raw rows, for assertions), closed at teardown. */
export async function connectOwner(t: Teardownable, ctx: Pick<TestContext, 'services'>): Promise<pg.Client> {
  const owner = new pg.Client({ connectionString: ctx.services.migrationDatabaseUrl });
  await owner.connect();
  t.teardown(() => owner.end());
  return owner;
}

export interface Member {
  orgId: string;
  userId: string;
  role: Role;
  cookie: string;
  csrfToken: string;
  /** Headers for a same-origin browser request with this member's session. */
  headers: Record<string, string>;
}

let counter = 0;

/** Creates an org (with an admin) and returns a signed-in member of the given role. */
export async function createOrgWithMember(ctx: TestContext, role: Role = 'admin', orgId?: string): Promise<Member> {
  counter += 1;
  const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
  let targetOrg = orgId;
  let userId: string;
  if (!targetOrg) {
    const created = await orgs.createOrg({ name: `Org ${counter} ${Date.now()}`, adminEmail: `admin${counter}.${Date.now()}@example.test`, adminPassword: 'correct horse battery staple' });
    targetOrg = created.orgId;
    userId = created.userId;
    // Jobs cannot be published without a privacy contact (the notices name it).
    const org = targetOrg;
    await ctx.db.withTenantTx(org, (tx) => upsertNoticeSettings(tx, org, { email: `privacy${counter}@example.test`, url: null }, null));
  } else {
    userId = '';
    // Orgs made with createOrgService directly get a contact too (unless they already have one).
    const org = targetOrg;
    await ctx.db.withTenantTx(org, async (tx) => {
      if (!(await getNoticeSettings(tx))) await upsertNoticeSettings(tx, org, { email: `privacy${counter}@example.test`, url: null }, null);
    });
  }
  if (role !== 'admin' || !userId) {
    userId = await insertUserWithPassword(ctx.db.pool, `${role}${counter}.${Date.now()}@example.test`, null);
    const org = targetOrg;
    await ctx.db.withTenantTx(org, (tx) => upsertMembership(tx, { orgId: org, userId, role }));
  }
  const sessions = createSessionService({ db: ctx.db, clock: () => new Date() });
  const { token } = await sessions.issue({ userId, orgId: targetOrg, role, mfaComplete: true });
  const cookie = `${cookiePolicy(ctx.config.publicUrl, ctx.config.nodeEnv).name}=${token}`;
  const csrfToken = csrfTokenFor(token);
  return { orgId: targetOrg, userId, role, cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken, origin: ORIGIN } };
}
