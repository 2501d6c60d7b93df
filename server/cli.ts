#!/usr/bin/env node
// `hirebox` command: migrate, org create, audit verify, screening stability. `--json`
// prints machine output.
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
import { createRetentionService } from './modules/retention/service.js';
import { createPostgresBlobStore } from './core/storage.js';
import { createLogger } from './core/logger.js';
import { STABILITY_MAX_RUNS, STABILITY_MAX_SAMPLE } from './modules/screening/stability-limits.js';
import { loadConfigOrExit } from './runtime.js';

const USAGE = `usage: hirebox <command> [options]

commands:
  migrate                                   apply pending migrations (owner role)
  org create --name N --admin-email E       create an organisation and its admin
             [--password-file F] [--slug S]   (without a password file, prints a one-time setup link)
  audit verify [--org ID]                   recompute audit hash chains and checkpoint signatures
  candidates reindex [--org ID]             build the name-search index of candidates not yet indexed
  retention sweep [--org ID] [--dry-run]    erase candidates past their org's retention period (what the
                                              daily worker job does); --dry-run lists them and changes nothing
  screening stability --job ID --runs N     re-score a random sample of the job's screened applications N
             [--sample K]                     times (default K=5) with the org's provider and model (temperature
                                              0, fixed seed) and report the score spread per criterion; stored
                                              screenings are not changed; runs are recorded, audited and
                                              count against the org's token budget
                                              exit: 0 report, 1 error or job not found, 2 usage,
                                              3 AI paused or token budget used up, 4 nothing screened to sample

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

function positiveInt(name: string, value: string | undefined, fallback: number | undefined, max: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`screening stability needs --${name}`);
    return fallback;
  }
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return Number(value);
}

async function runScreeningStability(config: Config, args: string[], out: Out): Promise<number> {
  let values: { job?: string; runs?: string; sample?: string };
  try {
    ({ values } = parseArgs({ args, options: { job: { type: 'string' }, runs: { type: 'string' }, sample: { type: 'string' }, json: { type: 'boolean' } }, strict: true }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!values.job) throw new UsageError('screening stability needs --job');
  if (!isUuid(values.job)) throw new UsageError('--job must be a job id (uuid)');
  const runs = positiveInt('runs', values.runs, undefined, STABILITY_MAX_RUNS);
  const sample = positiveInt('sample', values.sample, 5, STABILITY_MAX_SAMPLE);
  // Loaded only for this command (the provider and the openai SDK take most of the CLI's start-up).
  // The CLI is an operator tool: it uses the same model provider the worker does.
  const [{ createStabilityCheck, renderStabilityReport }, { createModelProvider }] = await Promise.all([import('./modules/screening/stability.js'), import('../worker/providers/index.js')]);
  const db = createDb({ connectionString: config.databaseUrl.reveal(), max: 2, applicationName: 'hirebox-cli' });
  try {
    const check = createStabilityCheck({
      db,
      audit: createAuditLog({ db }),
      keyring: createKeyring({ masterKey: config.masterKey.reveal() }),
      provider: createModelProvider(config),
      defaultModel: config.openai.model,
    });
    const result = await check.run({ jobId: values.job, runs, sample });
    if (result.status === 'job_not_found') {
      print(out, `job ${values.job} not found`, { ok: false, error: 'job_not_found' });
      return 1;
    }
    if (result.status === 'refused') {
      print(out, `not run: ${result.reason}`, { ok: false, error: result.reason.split(':')[0], reason: result.reason });
      return 3;
    }
    if (result.status === 'no_sample') {
      print(out, `not run: ${result.reason}`, { ok: false, error: 'no_sample', reason: result.reason });
      return 4;
    }
    print(out, renderStabilityReport(result.report), { ok: true, ...result.report });
    return result.report.runs.ok === 0 ? 1 : 0;
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

async function runRetentionSweep(config: Config, args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { org: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, strict: true });
  if (values.org !== undefined && !isUuid(values.org)) throw new UsageError('--org must be an org id (uuid)');
  const db = createDb({ connectionString: config.databaseUrl.reveal(), max: 2, applicationName: 'hirebox-cli' });
  try {
    const retention = createRetentionService({
      db,
      audit: createAuditLog({ db }),
      keyring: createKeyring({ masterKey: config.masterKey.reveal() }),
      blobs: createPostgresBlobStore(),
      clock: () => new Date(),
      logger: createLogger('silent'),
    });
    const dryRun = values['dry-run'] === true;
    const results = await retention.sweep({ orgId: values.org, dryRun });
    const count = results.reduce((n, r) => n + r.candidates.length, 0);
    const human = results.map((r) => `org ${r.orgId}: ${r.candidates.length} candidate(s) ${dryRun ? 'due for erasure' : 'erased'} (retention ${r.days} days, decided before ${r.cutoff})`);
    human.push(`${dryRun ? 'dry run: ' : ''}${count} candidate(s) ${dryRun ? 'would be erased' : 'erased'} in ${results.length} org(s)`);
    print(out, human.join('\n'), { ok: true, dryRun, candidates: count, orgs: results });
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
  if (command === 'retention' && sub === 'sweep') return runRetentionSweep(config, rest, out);
  if (command === 'screening' && sub === 'stability') return runScreeningStability(config, rest, out);
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
