// Forward-only migration runner. Files migrations/NNNN_verb_noun.sql are applied in
// order, each in its own transaction as role hirebox_owner, under an advisory lock so
// two runners never interleave. Applied files are recorded with their SHA-256; an
// applied file that was edited or removed stops the run.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { packageRoot } from './paths.js';

export const OWNER_ROLE = 'hirebox_owner';
export const APP_ROLE = 'hirebox_app';
const LOCK_KEY = 7_318_204_511; // arbitrary, fixed: "hirebox migrate"
const FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;

export class MigrationError extends Error {}

export interface MigrationFile {
  filename: string;
  checksum: string;
  sql: string;
}

export function migrationsDir(): string {
  return path.join(packageRoot(), 'migrations');
}

export function readMigrationFiles(dir = migrationsDir()): MigrationFile[] {
  const names = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  return names.map((filename) => {
    if (!FILE_PATTERN.test(filename)) throw new MigrationError(`migration file name "${filename}" must look like 0001_verb_noun.sql`);
    const sql = readFileSync(path.join(dir, filename), 'utf8');
    return { filename, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export interface MigrateOptions {
  migrationDatabaseUrl: string;
  /** The app's DATABASE_URL: if it carries a password, hirebox_app's password is set to it. */
  appDatabaseUrl?: string;
  dir?: string;
  log?: (line: string) => void;
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const files = readMigrationFiles(options.dir);
  const log = options.log ?? (() => undefined);
  const client = new pg.Client({ connectionString: options.migrationDatabaseUrl, application_name: 'hirebox-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await ensureRolesAndPrivileges(client);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      filename text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`GRANT SELECT ON schema_migrations TO ${APP_ROLE}`);
    const { rows } = await client.query<{ filename: string; checksum: string }>('SELECT filename, checksum FROM schema_migrations');
    const applied = new Map(rows.map((r) => [r.filename, r.checksum]));
    const onDisk = new Set(files.map((f) => f.filename));
    for (const name of applied.keys()) {
      if (!onDisk.has(name)) throw new MigrationError(`applied migration ${name} is missing from ${options.dir ?? 'migrations/'}; migrations are forward-only`);
    }
    const newlyApplied: string[] = [];
    for (const file of files) {
      const recorded = applied.get(file.filename);
      if (recorded !== undefined) {
        if (recorded !== file.checksum) {
          throw new MigrationError(`migration ${file.filename} was edited after it was applied (checksum differs); add a new migration instead`);
        }
        continue;
      }
      log(`applying ${file.filename}`);
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL ROLE ${OWNER_ROLE}`);
        await client.query(file.sql);
        await client.query('RESET ROLE');
        await client.query('INSERT INTO schema_migrations (filename, checksum) VALUES ($1, $2)', [file.filename, file.checksum]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${file.filename} failed: ${(err as Error).message}`);
      }
      newlyApplied.push(file.filename);
    }
    await setAppRolePassword(client, options.appDatabaseUrl);
    return { applied: newlyApplied, alreadyApplied: files.length - newlyApplied.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/** Which migration files are not applied yet (used by /readyz). */
export async function pendingMigrations(query: (sql: string) => Promise<{ rows: { filename: string }[] }>, files: MigrationFile[]): Promise<string[]> {
  const { rows } = await query('SELECT filename FROM schema_migrations');
  const applied = new Set(rows.map((r) => r.filename));
  return files.filter((f) => !applied.has(f.filename)).map((f) => f.filename);
}

async function ensureRolesAndPrivileges(client: pg.Client): Promise<void> {
  // Roles are cluster-wide, so several databases (or test files) may race to create them.
  await createRoleIfMissing(client, OWNER_ROLE, 'NOLOGIN NOSUPERUSER NOBYPASSRLS');
  await createRoleIfMissing(client, APP_ROLE, 'LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE');
  await client.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${OWNER_ROLE}`);
  await client.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
  await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER_ROLE} IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
  await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER_ROLE} IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);
}

async function createRoleIfMissing(client: pg.Client, role: string, attributes: string): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (exists.rowCount) return;
  try {
    await client.query(`CREATE ROLE ${role} ${attributes}`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42710' && code !== '23505') throw err; // lost the race: someone else created it
  }
}

async function setAppRolePassword(client: pg.Client, appDatabaseUrl: string | undefined): Promise<void> {
  if (!appDatabaseUrl) return;
  const url = new URL(appDatabaseUrl);
  if (!url.password || decodeURIComponent(url.username) !== APP_ROLE) return;
  const literal = client.escapeLiteral(decodeURIComponent(url.password));
  await client.query(`ALTER ROLE ${APP_ROLE} WITH PASSWORD ${literal}`);
}
