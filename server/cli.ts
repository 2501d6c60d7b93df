#!/usr/bin/env node
// `hirebox` command: migrate, org create, audit verify. `--json` prints machine output.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createAuditLog, type VerifyResult } from './core/audit.js';
import { createKeyring } from './core/crypto.js';
import type { Config } from './core/config.js';
import { createDb, isUuid } from './core/db.js';
import { AppError } from './core/errors.js';
import { migrate, MigrationError } from './core/migrate.js';
import { listOrgIds } from './modules/orgs/repo.js';
import { createOrgService } from './modules/orgs/service.js';
import { createCandidateSearch } from './modules/candidates/search.js';
import { loadConfigOrExit } from './runtime.js';

const USAGE = `usage: hirebox <command> [options]

commands:
  migrate                                   apply pending migrations (owner role)
  org create --name N --admin-email E       create an organisation and its admin
             [--password-file F] [--slug S]   (without a password file, prints a one-time setup link)
  audit verify [--org ID]                   recompute audit hash chains and checkpoint signatures
  candidates reindex [--org ID]             build the name-search index of candidates not yet indexed

options:
  --json                                    machine-readable output
`;

class UsageError extends Error {}

type Out = { json: boolean };

function print(out: Out, human: string, data: unknown): void {
  process.stdout.write(out.json ? `${JSON.stringify(data)}\n` : `${human}\n`);
}

async function runMigrate(config: Config, out: Out): Promise<number> {
  const result = await migrate({
    migrationDatabaseUrl: config.migrationDatabaseUrl.reveal(),
    appDatabaseUrl: config.databaseUrl.reveal(),
    log: out.json ? undefined : (line) => process.stdout.write(`${line}\n`),
  });
  print(out, result.applied.length ? `applied ${result.applied.length} migration(s)` : `up to date (${result.alreadyApplied} applied)`, result);
  return 0;
}

async function runOrgCreate(config: Config, args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { name: { type: 'string' }, 'admin-email': { type: 'string' }, 'password-file': { type: 'string' }, slug: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  if (!values.name || !values['admin-email']) throw new UsageError('org create needs --name and --admin-email');
  let password: string | undefined;
  if (values['password-file']) {
    try {
      password = readFileSync(values['password-file'], 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new UsageError(`cannot read --password-file ${values['password-file']}`);
    }
  }
  const db = createDb({ connectionString: config.databaseUrl.reveal(), max: 2, applicationName: 'hirebox-cli' });
  try {
    const orgs = createOrgService({ db, audit: createAuditLog({ db }), publicUrl: config.publicUrl, clock: () => new Date() });
    const result = await orgs.createOrg({ name: values.name, adminEmail: values['admin-email'], adminPassword: password, slug: values.slug });
    const human = [`created org ${result.slug} (${result.orgId}) with admin user ${result.userId}`];
    if (result.setupUrl) human.push(`one-time setup link (shown once, valid 72 hours): ${result.setupUrl}`);
    const json: Record<string, string> = { orgId: result.orgId, userId: result.userId };
    if (result.setupUrl) json.setupUrl = result.setupUrl;
    print(out, human.join('\n'), json);
    return 0;
  } finally {
    await db.close();
  }
}

async function runAuditVerify(config: Config, args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { org: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  if (values.org !== undefined && !isUuid(values.org)) throw new UsageError('--org must be an org id (uuid)');
  const db = createDb({ connectionString: config.databaseUrl.reveal(), max: 2, applicationName: 'hirebox-cli' });
  try {
    const audit = createAuditLog({ db, signingKey: config.auditSigningKey.reveal() });
    const orgIds = values.org ? [values.org] : await listOrgIds(db.pool);
    const results: VerifyResult[] = [];
    for (const orgId of orgIds) {
      const result = await audit.verify(orgId);
      results.push(result);
      if (!result.ok) break; // report the first broken chain
    }
    const broken = results.find((r) => !r.ok);
    const human = broken?.firstBroken
      ? `BROKEN: org ${broken.orgId}: first bad event seq ${broken.firstBroken.seq}${broken.firstBroken.eventId ? ` (id ${broken.firstBroken.eventId})` : ''}: ${broken.firstBroken.reason}: ${broken.firstBroken.detail}`
      : `ok: ${results.length} org chain(s), ${results.reduce((n, r) => n + r.eventsChecked, 0)} events, ${results.reduce((n, r) => n + r.checkpointsChecked, 0)} signed checkpoints verified`;
    print(out, human, { ok: !broken, results });
    return broken ? 1 : 0;
  } finally {
    await db.close();
  }
}

async function runCandidatesReindex(config: Config, args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { org: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  if (values.org !== undefined && !isUuid(values.org)) throw new UsageError('--org must be an org id (uuid)');
  const db = createDb({ connectionString: config.databaseUrl.reveal(), max: 2, applicationName: 'hirebox-cli' });
  try {
    const search = createCandidateSearch({ keyring: createKeyring({ masterKey: config.masterKey.reveal() }) });
    const orgIds = values.org ? [values.org] : await listOrgIds(db.pool);
    const results: { orgId: string; indexed: number; skipped: number }[] = [];
    for (const orgId of orgIds) results.push({ orgId, ...(await search.reindex(db, orgId)) });
    const indexed = results.reduce((n, r) => n + r.indexed, 0);
    print(out, `indexed ${indexed} candidate(s) in ${results.length} org(s)`, { indexed, results });
    return 0;
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const out = { json };
  const [command, sub, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfigOrExit();
  if (command === 'migrate') return runMigrate(config, out);
  if (command === 'org' && sub === 'create') return runOrgCreate(config, rest, out);
  if (command === 'audit' && sub === 'verify') return runAuditVerify(config, rest, out);
  if (command === 'candidates' && sub === 'reindex') return runCandidatesReindex(config, rest, out);
  throw new UsageError(`unknown command: ${argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ')}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`hirebox: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (err instanceof MigrationError || err instanceof AppError) {
      const extra = err instanceof AppError && Array.isArray(err.extra.errors) ? (err.extra.errors as { path: string; message: string }[]).map((e) => `\n  - ${e.path}: ${e.message}`).join('') : '';
      process.stderr.write(`hirebox: ${err.message}${extra}\n`);
      process.exit(1);
    }
    // Connection failures and other surprises: one line, no stack, no secrets.
    process.stderr.write(`hirebox: ${(err as Error).message ?? String(err)}\n`);
    process.exit(1);
  },
);
