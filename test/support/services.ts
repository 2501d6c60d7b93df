// Real Postgres and Redis for tests: each test file gets a throwaway database cloned
// from a migrated template (rebuilt when migrations change) and its own Redis key
// prefix; both are removed at teardown.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { migrate, readMigrationFiles } from '../../server/core/migrate.js';
import { packageRoot } from '../../server/core/paths.js';
import { ensurePostgres, ensureRedis } from '../../ops/scripts/dev-services.js';

export interface Teardownable {
  teardown(fn: () => unknown): void;
}

export interface TestServices {
  databaseName: string;
  databaseUrl: string;
  migrationDatabaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
}

/** Where the test services live; override with HIREBOX_TEST_PG_URL / HIREBOX_TEST_REDIS_URL. */
export const TEST_PG_ADMIN_URL = process.env.HIREBOX_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.HIREBOX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let servicesReady: Promise<void> | undefined;

export function ensureTestServices(): Promise<void> {
  servicesReady ??= (async () => {
    const log = (line: string): void => void process.stderr.write(`# test services: ${line}\n`);
    const dataDir = path.join(packageRoot(), '.data', 'test-services');
    await ensurePostgres(TEST_PG_ADMIN_URL, dataDir, log);
    await ensureRedis(TEST_REDIS_URL, log);
  })();
  return servicesReady;
}

export function databaseUrl(base: string, database: string, user?: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user;
    url.password = '';
  }
  return url.toString();
}

function templateName(): string {
  const digest = createHash('sha256');
  for (const f of readMigrationFiles()) digest.update(`${f.filename}:${f.checksum}\n`);
  return `hb_tpl_${digest.digest('hex').slice(0, 16)}`;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL, application_name: 'hirebox-test-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates (once) the migrated template and clones a fresh database from it. */
export async function createTestDatabase(): Promise<string> {
  await ensureTestServices();
  const template = templateName();
  const name = `hb_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', ['hirebox-test-template']);
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (!exists.rowCount) {
        // Build under a scratch name and rename, so a failed migration leaves no template.
        const scratch = `${template}_build`;
        await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${scratch}`);
        await migrate({ migrationDatabaseUrl: databaseUrl(TEST_PG_ADMIN_URL, scratch) });
        await admin.query(`ALTER DATABASE ${scratch} RENAME TO ${template}`);
        const stale = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'hb\\_tpl\\_%' AND datname <> $1", [template]);
        for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', ['hirebox-test-template']);
    }
  });
  return name;
}

export async function dropTestDatabase(name: string): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A throwaway migrated database and Redis prefix for one test file, removed at teardown. */
export async function provisionTestServices(t: Teardownable): Promise<TestServices> {
  const name = await createTestDatabase();
  const redisPrefix = `hbtest:${name}`;
  const services: TestServices = {
    databaseName: name,
    databaseUrl: databaseUrl(TEST_PG_ADMIN_URL, name, 'hirebox_app'),
    migrationDatabaseUrl: databaseUrl(TEST_PG_ADMIN_URL, name),
    redisUrl: TEST_REDIS_URL,
    redisPrefix,
  };
  t.teardown(async () => {
    await dropTestDatabase(name);
    await deleteRedisPrefix(TEST_REDIS_URL, redisPrefix);
  });
  return services;
}
