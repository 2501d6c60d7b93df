#!/usr/bin/env node
// `hirebox` command: migrate, org create, audit verify, screening stability. `--json`
// prints machine output.
import { createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { commandArgs, erasureLedgerOf, keyringOf, print, UsageError, uuidOption, wholeNumberOption, withDb, type Out } from './cli-support.js';
import { createAuditLog, PLATFORM_CHAIN, type VerifyResult } from './core/audit.js';
import { masterKeyId } from './core/crypto.js';
import type { Config } from './core/config.js';
import { AppError } from './core/errors.js';
import { migrate, MigrationError } from './core/migrate.js';
import { migrateDemographicCategories } from './modules/applications/index.js';
import type { KeyRotationService } from './modules/keys/index.js';
import { listOrgIds } from './modules/orgs/index.js';
import { createOrgService } from './modules/orgs/index.js';
import { createCandidateSearch } from './modules/candidates/index.js';
import { createRetentionService } from './modules/retention/index.js';
import { createPostgresBlobStore } from './core/storage.js';
import { createLogger } from './core/logger.js';
import { STABILITY_MAX_RUNS, STABILITY_MAX_SAMPLE } from './modules/screening/index.js';
import type { SampleOutcome } from './modules/screening/index.js';
import { loadConfigOrExit } from './runtime.js';

const USAGE = `usage: hirebox <command> [options]

commands:
  migrate                                   apply pending migrations (owner role)
  org create --name N --admin-email E       create an organisation and its admin
             [--password-file F] [--slug S]   (without a password file, prints a one-time setup link)
  audit verify [--org ID | --platform]      recompute audit hash chains and checkpoint signatures: every org's
                                              and the platform chain (sign-ins before an org is chosen, operator
                                              actions), or one org's, or --platform alone
  user mfa-reset --email E | --user ID       reset a person's MFA (authenticator, recovery codes) and end their
                                              sessions in every org; for people in several orgs, whose org admins
                                              cannot (409); audited in each org and the platform chain
  keys generate --out FILE                  write a new random master key (base64, mode 0600) and print its id
  keys rotate                               re-wrap every org key (and MFA secret) under MASTER_KEY_FILE; previous
                                              keys come from MASTER_KEY_PREVIOUS_FILES (owner role); idempotent
                                              exit: 0 done, 1 something could not be unwrapped (org ids named)
  keys status                               org keys and MFA secrets per master key id; which previous keys can be
                                              retired; exit 1 if something needs a key this process lacks
  candidates reindex [--org ID]             build the name-search index of candidates not yet indexed
  erase candidate --org ID --candidate ID   erase one candidate now (data subject request; the retention sweep's
             --reason TICKET                  path, open applications withdrawn); --reason: the request's reference
  erasures reapply [--dry-run]              re-apply every erasure ledger entry (ERASURE_LEDGER_PATH) to this database:
                                              erased candidates and deleted orgs that a restore brought back are erased
                                              again (idempotent; audited); the restore scripts run it before the app
                                              serves; --dry-run counts what is readable, changes nothing;
                                              exit 0 none readable, 1 some still readable or ledger tampered
  export candidate --org ID --candidate ID  candidate.json (as the API's export) + decrypted CV files into DIR
             --out DIR                        (created 0700, files 0600); audited
  export org --org ID --out DIR             the whole org as JSON Lines per kind + CV files + manifest.json
                                              (counts, SHA-256 per file); audited
  org offboard --org ID [--out DIR]         start offboarding (sign-in, apply pages, interview links, webhooks
             [--cancel | --status | --delete] refused; data and org key deleted by the daily sweep after 30 days);
                                              --out writes the org export now; --cancel restores the org;
                                              --delete deletes now if the 30 days are over
  retention sweep [--org ID] [--dry-run]    erase candidates past their org's retention period (what the
                                              daily worker job does); --dry-run lists them and changes nothing
  bias report --org ID [--job ID]           selection rates, AI scoring rates and impact ratios by self-identified
                                              demographic category (LL144 method): the org report and one per job
                                              (or only --job); aggregates only; audited; exit 0 report, 1 job not found
  bias counterfactual --job ID [--sample K] re-screen K (default 5) of the job's screened CVs with swapped names and
                                              pronouns through the blinded screening call and report score shifts per
                                              criterion; nothing stored changes; runs are audited and count against the
                                              token budget; exit 0 report, 1 error or job not found, 2 usage, 3 AI paused
                                              or budget used up, 4 nothing screened to sample
  sso domain approve --org ID --domain D    approve an SSO email domain for an org without its DNS proof (for
                                              domains the org cannot publish a TXT record on); audited
  screening stability --job ID --runs N     re-score a random sample of the job's screened applications N
             [--sample K]                     times (default K=5) with the org's provider and model (temperature
                                              0, fixed seed) and report the score spread per criterion; stored
                                              screenings are not changed; runs are recorded, audited and
                                              count against the org's token budget
                                              exit: 0 report, 1 error or job not found, 2 usage,
                                              3 AI paused or token budget used up, 4 nothing screened to sample
  trust check [--only ID,ID]                run every trust-page check now (issue 23), store and print the results;
                                              exit 0 only if every line that is not hidden passes
  trust hide --check ID --reason TEXT       hide a trust-page line; the reason is shown in its place (owner role)
  trust unhide --check ID                   show a hidden trust-page line again (owner role)

options:
  --json                                    machine-readable output
`;

async function runMigrate(config: Config, out: Out): Promise<number> {
  const result = await migrate({
    migrationDatabaseUrl: config.migrationDatabaseUrl.reveal(),
    appDatabaseUrl: config.databaseUrl.reveal(),
    log: out.json ? undefined : (line) => process.stdout.write(`${line}\n`),
  });
  // Data steps that need the candidate keys (see each module), after the SQL migrations.
  const demographics = await withDb(config.databaseUrl.reveal(), (db) => migrateDemographicCategories({ db, audit: createAuditLog({ db }), keyring: keyringOf(config) }));
  print(
    out,
    `${result.applied.length ? `applied ${result.applied.length} migration(s)` : `up to date (${result.alreadyApplied} applied)`}; demographics in fixed categories: ${demographics.rows} row(s) mapped`,
    { ...result, demographics },
  );
  return 0;
}

async function runOrgCreate(config: Config, args: string[], out: Out): Promise<number> {
  const values = commandArgs('org create', args, { name: { type: 'string' }, 'admin-email': { type: 'string' }, 'password-file': { type: 'string' }, slug: { type: 'string' } });
  if (!values.name || !values['admin-email']) throw new UsageError('org create needs --name and --admin-email');
  let password: string | undefined;
  if (values['password-file']) {
    try {
      password = readFileSync(values['password-file'], 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new UsageError(`cannot read --password-file ${values['password-file']}`);
    }
  }
  const { name, 'admin-email': adminEmail, slug } = values;
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const orgs = createOrgService({ db, audit: createAuditLog({ db }), publicUrl: config.publicUrl, clock: () => new Date() });
    const result = await orgs.createOrg({ name, adminEmail, adminPassword: password, slug });
    const human = [`created org ${result.slug} (${result.orgId}) with admin user ${result.userId}`];
    if (result.setupUrl) human.push(`one-time setup link (shown once, valid 72 hours): ${result.setupUrl}`);
    const json: Record<string, string> = { orgId: result.orgId, userId: result.userId };
    if (result.setupUrl) json.setupUrl = result.setupUrl;
    print(out, human.join('\n'), json);
    return 0;
  });
}

async function runAuditVerify(config: Config, args: string[], out: Out): Promise<number> {
  const values = commandArgs('audit verify', args, { org: { type: 'string' }, platform: { type: 'boolean' } });
  const org = uuidOption('audit verify', 'org', values.org, true);
  if (org && values.platform) throw new UsageError('audit verify: --org and --platform do not go together');
  return withDb(config.databaseUrl.reveal(), async (db) => {
    // Checkpoints signed by a retired signing key verify with its public key (AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES).
    const verifyKeys = [createPublicKey(config.auditSigningKey.reveal()), ...config.auditPreviousPublicKeys];
    const audit = createAuditLog({ db, signingKey: config.auditSigningKey.reveal(), verifyKeys });
    const orgIds = values.platform ? [] : org ? [org] : await listOrgIds(db.pool);
    const results: VerifyResult[] = [];
    for (const orgId of orgIds) {
      const result = await audit.verify(orgId);
      results.push(result);
      if (!result.ok) break; // report the first broken chain
    }
    // The platform chain (orgId "platform" in the results) is checked with every org, or alone with --platform.
    if (!org && results.every((r) => r.ok)) results.push(await audit.verifyPlatform());
    const broken = results.find((r) => !r.ok);
    const chainName = (r: VerifyResult) => (r.orgId === PLATFORM_CHAIN ? 'platform chain' : `org ${r.orgId}`);
    const orgChains = results.filter((r) => r.orgId !== PLATFORM_CHAIN).length;
    const human = broken?.firstBroken
      ? `BROKEN: ${chainName(broken)}: first bad event seq ${broken.firstBroken.seq}${broken.firstBroken.eventId ? ` (id ${broken.firstBroken.eventId})` : ''}: ${broken.firstBroken.reason}: ${broken.firstBroken.detail}`
      : `ok: ${orgChains} org chain(s)${orgChains < results.length ? ' and the platform chain' : ''}, ${results.reduce((n, r) => n + r.eventsChecked, 0)} events, ${results.reduce((n, r) => n + r.checkpointsChecked, 0)} signed checkpoints verified`;
    print(out, human, { ok: !broken, results });
    return broken ? 1 : 0;
  });
}

/** Exit codes of the sample checks (screening stability, bias counterfactual): 0 report, 1 unknown job or every call failed, 3 AI paused or budget used up, 4 nothing screened. */
function printSampleOutcome<R extends object>(out: Out, jobId: string, result: SampleOutcome<R>, render: (report: R) => string, allFailed: (report: R) => boolean): number {
  if (result.status === 'job_not_found') {
    print(out, `job ${jobId} not found`, { ok: false, error: 'job_not_found' });
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
  print(out, render(result.report), { ok: true, ...result.report });
  return allFailed(result.report) ? 1 : 0;
}

async function runScreeningStability(config: Config, args: string[], out: Out): Promise<number> {
  const command = 'screening stability';
  const values = commandArgs(command, args, { job: { type: 'string' }, runs: { type: 'string' }, sample: { type: 'string' } });
  const jobId = uuidOption(command, 'job', values.job);
  const runs = wholeNumberOption(command, 'runs', values.runs, undefined, STABILITY_MAX_RUNS);
  const sample = wholeNumberOption(command, 'sample', values.sample, 5, STABILITY_MAX_SAMPLE);
  // Loaded only for this command (the provider and the openai SDK take most of the CLI's start-up).
  // The CLI is an operator tool: it uses the same model provider the worker does.
  const [{ createStabilityCheck, renderStabilityReport }, { createModelProvider }] = await Promise.all([import('./modules/screening/index.js'), import('./modules/model-providers/index.js')]);
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const check = createStabilityCheck({ db, audit: createAuditLog({ db }), keyring: keyringOf(config), provider: createModelProvider(config), defaultModel: config.openai.model });
    const result = await check.run({ jobId, runs, sample });
    return printSampleOutcome(out, jobId, result, renderStabilityReport, (r) => r.runs.ok === 0);
  });
}

async function runCandidatesReindex(config: Config, args: string[], out: Out): Promise<number> {
  const org = uuidOption('candidates reindex', 'org', commandArgs('candidates reindex', args, { org: { type: 'string' } }).org, true);
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const search = createCandidateSearch({ keyring: keyringOf(config) });
    const orgIds = org ? [org] : await listOrgIds(db.pool);
    const results: { orgId: string; indexed: number; skipped: number }[] = [];
    for (const orgId of orgIds) results.push({ orgId, ...(await search.reindex(db, orgId)) });
    const indexed = results.reduce((n, r) => n + r.indexed, 0);
    print(out, `indexed ${indexed} candidate(s) in ${results.length} org(s)`, { indexed, results });
    return 0;
  });
}

async function runRetentionSweep(config: Config, args: string[], out: Out): Promise<number> {
  const values = commandArgs('retention sweep', args, { org: { type: 'string' }, 'dry-run': { type: 'boolean' } });
  const org = uuidOption('retention sweep', 'org', values.org, true);
  const dryRun = values['dry-run'] === true;
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const retention = createRetentionService({ db, audit: createAuditLog({ db }), keyring: keyringOf(config), blobs: createPostgresBlobStore(), ledger: erasureLedgerOf(config), clock: () => new Date(), logger: createLogger('silent') });
    const results = await retention.sweep({ orgId: org, dryRun });
    const count = results.reduce((n, r) => n + r.candidates.length, 0);
    const human = results.map((r) => `org ${r.orgId}: ${r.candidates.length} candidate(s) ${dryRun ? 'due for erasure' : 'erased'} (retention ${r.days} days, decided before ${r.cutoff})`);
    human.push(`${dryRun ? 'dry run: ' : ''}${count} candidate(s) ${dryRun ? 'would be erased' : 'erased'} in ${results.length} org(s)`);
    print(out, human.join('\n'), { ok: true, dryRun, candidates: count, orgs: results });
    return 0;
  });
}

// Needs no configuration: a new key is made before it is configured anywhere.
function runKeysGenerate(args: string[], out: Out): number {
  const file = commandArgs('keys generate', args, { out: { type: 'string' } }).out;
  if (!file) throw new UsageError('keys generate needs --out FILE');
  const key = randomBytes(32);
  try {
    // wx: never overwrite an existing key file (that could destroy the only copy of a key in use).
    writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`hirebox: cannot create ${file}${code === 'EEXIST' ? ': it exists (keys generate never overwrites)' : code ? `: ${code}` : ''}\n`);
    return 1;
  }
  const id = masterKeyId(key);
  print(out, `wrote a new master key to ${file} (mode 0600), key id ${id}`, { file, masterKeyId: id });
  return 0;
}

/** `keys rotate|status` run as the owner role: the app role may not rewrite org_keys. */
async function withKeyRotation<T>(config: Config, fn: (service: KeyRotationService) => Promise<T>): Promise<T> {
  const { createKeyRotationService } = await import('./modules/keys/index.js');
  return withDb(config.migrationDatabaseUrl.reveal(), (db) =>
    fn(
      createKeyRotationService({
        db,
        audit: createAuditLog({ db }),
        keys: { masterKey: config.masterKey.reveal(), previousMasterKeys: config.previousMasterKeys.reveal() },
        listOrgIds: () => listOrgIds(db.pool),
      }),
    ),
  );
}

async function runKeysRotate(config: Config, args: string[], out: Out): Promise<number> {
  commandArgs('keys rotate', args, {});
  return withKeyRotation(config, async (service) => {
    const r = await service.rotate();
    const human = [
      `current master key ${r.masterKeyId}`,
      `org keys: ${r.orgs.rewrapped} re-wrapped, ${r.orgs.labelled} labelled (pre-0027, already current), ${r.orgs.alreadyCurrent} already current, ${r.orgs.withoutKey} org(s) without a key, ${r.orgs.failed} failed`,
      `MFA secrets: ${r.userSecrets.resealed} re-sealed, ${r.userSecrets.alreadyCurrent} already current, ${r.userSecrets.failed} failed`,
      ...r.failures.map((f) => `FAILED: org ${f.orgId}: ${f.error}`),
      ...r.failedUserIds.map((id) => `FAILED: MFA secret of user ${id} opens with none of the configured master keys`),
    ];
    print(out, human.join('\n'), r);
    return r.ok ? 0 : 1;
  });
}

async function runKeysStatus(config: Config, args: string[], out: Out): Promise<number> {
  commandArgs('keys status', args, {});
  return withKeyRotation(config, async (service) => {
    const r = await service.status();
    const human = [
      `${r.orgKeys} org key(s); current master key ${r.currentMasterKeyId}`,
      ...r.keys.map((k) => `  ${k.masterKeyId}  ${k.role.padEnd(8)}  org keys ${k.orgKeys}${k.unlabelledOrgKeys ? ` (+${k.unlabelledOrgKeys} pre-0027 unlabelled)` : ''}, MFA secrets ${k.userSecrets}`),
      ...r.unreadableOrgIds.map((id) => `UNREADABLE: org ${id}: its key is wrapped by a master key this process lacks`),
      ...(r.unreadableUserSecrets ? [`UNREADABLE: ${r.unreadableUserSecrets} MFA secret(s) open with none of the configured master keys`] : []),
      r.rotationNeeded ? 'rotation needed: run `hirebox keys rotate`' : 'everything is under the current master key',
      ...(r.retirable.length ? [`can be retired (remove from MASTER_KEY_PREVIOUS_FILES): ${r.retirable.join(', ')}`] : []),
    ];
    print(out, human.join('\n'), r);
    return r.ok ? 0 : 1;
  });
}

async function runBiasReport(config: Config, args: string[], out: Out): Promise<number> {
  const values = commandArgs('bias report', args, { org: { type: 'string' }, job: { type: 'string' } });
  const orgId = uuidOption('bias report', 'org', values.org);
  const jobId = uuidOption('bias report', 'job', values.job, true);
  const { createBiasService, renderBiasReport } = await import('./modules/bias/index.js');
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const bias = createBiasService({ db, audit: createAuditLog({ db }), keyring: keyringOf(config), log: createLogger('silent') });
    const reports = await bias.reportsForOperator(orgId, { jobId });
    print(out, reports.map(renderBiasReport).join('\n\n'), { ok: true, reports });
    return 0;
  });
}

/** The trust page's checks and hidden lines (server/modules/trust/commands.ts), loaded only for those commands. */
const trustCommands = () => import('./modules/trust/index.js');

/** Data subject requests and offboarding (server/modules/privacy/commands.ts), loaded only for those commands. */
const privacyCommands = () => import('./modules/privacy/index.js');

async function runBiasCounterfactual(config: Config, args: string[], out: Out): Promise<number> {
  const command = 'bias counterfactual';
  const values = commandArgs(command, args, { job: { type: 'string' }, sample: { type: 'string' } });
  const jobId = uuidOption(command, 'job', values.job);
  const [{ createCounterfactualAudit, renderCounterfactualReport, COUNTERFACTUAL_MAX_SAMPLE }, { createModelProvider }] = await Promise.all([
    import('./modules/bias/index.js'),
    import('./modules/model-providers/index.js'),
  ]);
  const sample = wholeNumberOption(command, 'sample', values.sample, 5, COUNTERFACTUAL_MAX_SAMPLE);
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const audit = createCounterfactualAudit({ db, audit: createAuditLog({ db }), keyring: keyringOf(config), provider: createModelProvider(config), defaultModel: config.openai.model });
    const result = await audit.run({ jobId, sample });
    return printSampleOutcome(out, jobId, result, renderCounterfactualReport, (r) => r.runs.made > 0 && r.runs.made === r.runs.failed);
  });
}

async function runSsoDomainApprove(config: Config, args: string[], out: Out): Promise<number> {
  const command = 'sso domain approve';
  const values = commandArgs(command, args, { org: { type: 'string' }, domain: { type: 'string' } });
  const orgId = uuidOption(command, 'org', values.org);
  if (!values.domain) throw new UsageError(`${command} needs --domain`);
  const domain = values.domain;
  const { approveSsoDomain } = await import('./modules/sso/index.js');
  return withDb(config.databaseUrl.reveal(), async (db) => {
    if (!(await listOrgIds(db.pool)).includes(orgId)) {
      print(out, `org ${orgId} not found`, { ok: false, error: 'org_not_found' });
      return 1;
    }
    const result = await approveSsoDomain({ db, audit: createAuditLog({ db }) }, orgId, domain);
    print(out, result.approved ? `approved ${result.domain} for org ${orgId}` : `${result.domain} was already verified for org ${orgId}`, { ok: true, orgId, ...result });
    return 0;
  });
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const out = { json };
  const [command, sub, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'keys' && sub === 'generate') return runKeysGenerate(rest, out);
  const config = loadConfigOrExit();
  if (command === 'migrate') return runMigrate(config, out);
  if (command === 'org' && sub === 'create') return runOrgCreate(config, rest, out);
  if (command === 'org' && sub === 'offboard') return (await privacyCommands()).runOrgOffboard(config, rest, out);
  if (command === 'erase' && sub === 'candidate') return (await privacyCommands()).runEraseCandidate(config, rest, out);
  if (command === 'erasures' && sub === 'reapply') return (await privacyCommands()).runErasuresReapply(config, rest, out);
  if (command === 'export' && sub === 'candidate') return (await privacyCommands()).runExportCandidate(config, rest, out);
  if (command === 'export' && sub === 'org') return (await privacyCommands()).runExportOrg(config, rest, out);
  if (command === 'audit' && sub === 'verify') return runAuditVerify(config, rest, out);
  if (command === 'user' && sub === 'mfa-reset') return (await import('./modules/members/index.js')).runUserMfaReset(config, rest, out);
  if (command === 'keys' && sub === 'rotate') return runKeysRotate(config, rest, out);
  if (command === 'keys' && sub === 'status') return runKeysStatus(config, rest, out);
  if (command === 'candidates' && sub === 'reindex') return runCandidatesReindex(config, rest, out);
  if (command === 'retention' && sub === 'sweep') return runRetentionSweep(config, rest, out);
  if (command === 'bias' && sub === 'report') return runBiasReport(config, rest, out);
  if (command === 'bias' && sub === 'counterfactual') return runBiasCounterfactual(config, rest, out);
  if (command === 'screening' && sub === 'stability') return runScreeningStability(config, rest, out);
  if (command === 'sso' && sub === 'domain' && rest[0] === 'approve') return runSsoDomainApprove(config, rest.slice(1), out);
  if (command === 'trust' && sub === 'check') return (await trustCommands()).runTrustCheck(config, rest, out);
  if (command === 'trust' && sub === 'hide') return (await trustCommands()).runTrustHide(config, rest, out);
  if (command === 'trust' && sub === 'unhide') return (await trustCommands()).runTrustUnhide(config, rest, out);
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
