// `hirebox` commands for data subject requests and offboarding (DESIGN sections 9 and 11):
//   erase candidate --org ID --candidate ID --reason TEXT [--request PRIVACY_REQUEST_ID]
//   export candidate --org ID --candidate ID --out DIR
//   export org --org ID --out DIR
//   org offboard --org ID [--out DIR] | --cancel | --status
// Loaded by server/cli.ts on demand. Personal data goes only into the files under --out;
// stdout carries ids, counts and paths (`--json`: the summary).
import { commandArgs, erasureLedgerOf, keyringOf, print, UsageError, uuidOption, withDb, type Out } from '../../cli-support.js';
import { createAuditLog } from '../../core/audit.js';
import type { Config } from '../../core/config.js';
import type { Db } from '../../core/db.js';
import { createLogger } from '../../core/logger.js';
import { createRedis } from '../../core/redis.js';
import { createPostgresBlobStore } from '../../core/storage.js';
import type { ExportSummary } from './export.js';
import { createOffboardingService } from './offboarding.js';
import { REFERENCE_PATTERN } from '../rights/index.js';
import { createPrivacyService } from './service.js';

function outDir(command: string, value: string | undefined): string {
  if (!value) throw new UsageError(`${command} needs --out DIR`);
  return value;
}

function exportDeps(config: Config, db: Db) {
  return { db, audit: createAuditLog({ db }), keyring: keyringOf(config), blobs: createPostgresBlobStore(), ledger: erasureLedgerOf(config), clock: () => new Date() };
}

/** The export module (and the hiring modules it reads through) loads only when an export runs. */
async function exportsOf(config: Config, db: Db) {
  const { createPrivacyExports } = await import('./export.js');
  return createPrivacyExports(exportDeps(config, db));
}

function exportHuman(s: ExportSummary): string {
  const counts = Object.entries(s.records)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `exported ${s.kind} ${s.candidateId ?? s.orgId} to ${s.dir}: ${s.files.length} file(s) (${counts})`;
}

export async function runEraseCandidate(config: Config, argv: string[], out: Out): Promise<number> {
  const v = commandArgs('erase candidate', argv, { org: { type: 'string' }, candidate: { type: 'string' }, reason: { type: 'string' }, request: { type: 'string' } });
  const orgId = uuidOption('erase candidate', 'org', v.org);
  const candidateId = uuidOption('erase candidate', 'candidate', v.candidate);
  const reference = v.reason?.trim();
  if (!reference) throw new UsageError('erase candidate needs --reason TICKET (the request reference)');
  // eslint-disable-next-line security/detect-non-literal-regexp -- a constant pattern shared with the API schema
  if (!new RegExp(REFERENCE_PATTERN).test(reference)) throw new UsageError('--reason must be a ticket or case reference: letters, digits, space and . _ : / # - (at most 120; no e-mail addresses)');
  // --request ID: the privacy-request register entry this erasure answers (closed with it).
  const privacyRequestId = v.request === undefined ? undefined : uuidOption('erase candidate', 'request', v.request);
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const privacy = createPrivacyService(exportDeps(config, db));
    const r = await privacy.eraseCandidateAsOperator(orgId, candidateId, { reference, ...(privacyRequestId ? { privacyRequestId } : {}) });
    print(out, `erased candidate ${candidateId} (reference ${reference}): ${r.applicationsWithdrawn} open application(s) withdrawn, ${r.files} file(s) deleted, key destroyed`, { ok: true, ...r });
    return 0;
  });
}

export async function runExportCandidate(config: Config, argv: string[], out: Out): Promise<number> {
  const v = commandArgs('export candidate', argv, { org: { type: 'string' }, candidate: { type: 'string' }, out: { type: 'string' } });
  const orgId = uuidOption('export candidate', 'org', v.org);
  const candidateId = uuidOption('export candidate', 'candidate', v.candidate);
  const dir = outDir('export candidate', v.out);
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const summary = await (await exportsOf(config, db)).exportCandidate(orgId, candidateId, dir);
    print(out, exportHuman(summary), summary);
    return 0;
  });
}

export async function runExportOrg(config: Config, argv: string[], out: Out): Promise<number> {
  const v = commandArgs('export org', argv, { org: { type: 'string' }, out: { type: 'string' } });
  const orgId = uuidOption('export org', 'org', v.org);
  const dir = outDir('export org', v.out);
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const summary = await (await exportsOf(config, db)).exportOrg(orgId, dir);
    print(out, exportHuman(summary), summary);
    return 0;
  });
}

export async function runOrgOffboard(config: Config, argv: string[], out: Out): Promise<number> {
  const v = commandArgs('org offboard', argv, { org: { type: 'string' }, out: { type: 'string' }, cancel: { type: 'boolean' }, status: { type: 'boolean' }, delete: { type: 'boolean' } });
  const orgId = uuidOption('org offboard', 'org', v.org);
  if ([v.cancel, v.status, v.delete, v.out !== undefined].filter(Boolean).length > 1) throw new UsageError('org offboard: --cancel, --status, --delete and --out do not go together');
  return withDb(config.databaseUrl.reveal(), async (db) => {
    // Revocations reach every app process's session cache through Redis (best effort: the cache lives 5 s).
    const redis = createRedis(config.redisUrl.reveal(), 'producer', { enableOfflineQueue: true });
    redis.on('error', () => undefined);
    try {
      const clock = () => new Date();
      const { createSessionService } = await import('../auth/index.js');
      const sessions = createSessionService({ db, clock, redis, redisPrefix: config.redisPrefix });
      const offboarding = createOffboardingService({ db, audit: createAuditLog({ db }), ledger: erasureLedgerOf(config), sessions, clock, logger: createLogger('silent') });
      if (v.status) {
        const s = await offboarding.status(orgId);
        print(out, `org ${orgId}: ${s.status}${s.deleteAfter ? `, started ${s.startedAt}, data deleted after ${s.deleteAfter}` : ''}`, { ok: true, ...s });
        return 0;
      }
      if (v.delete) {
        const d = await offboarding.deleteNow(orgId);
        print(out, `org ${orgId}: data deleted (${Object.values(d.rowsDeleted).reduce((n, x) => n + x, 0)} rows), org key ${d.orgKeyDestroyed ? 'destroyed' : 'was absent'}, ${d.usersDeleted} member account(s) removed; tombstone and audit trail kept`, { ok: true, ...d });
        return 0;
      }
      if (v.cancel) {
        const s = await offboarding.cancel(orgId);
        print(out, `org ${orgId}: offboarding cancelled, the org is active again (members sign in anew)`, { ok: true, ...s });
        return 0;
      }
      const s = await offboarding.start(orgId);
      const exported = v.out ? await (await exportsOf(config, db)).exportOrg(orgId, v.out, 'offboarding') : null;
      const human = [
        `org ${orgId}: offboarding started at ${s.startedAt}; ${s.sessionsRevoked} session(s) revoked; sign-in, apply pages, interview links and webhooks refused`,
        `its data and key are deleted by the daily sweep after ${s.deleteAfter} (cancel before then: hirebox org offboard --org ${orgId} --cancel)`,
        exported ? exportHuman(exported) : `export it now: hirebox export org --org ${orgId} --out DIR`,
      ];
      print(out, human.join('\n'), { ok: true, ...s, export: exported });
      return 0;
    } finally {
      redis.disconnect();
    }
  });
}

/**
 * `hirebox erasures reapply`: every erasure ledger entry applied again to this database
 * (reapply.ts). ops/scripts/restore.sh and restore-drill.sh run it on a restored database
 * before the app serves. Exit 0 when no ledger candidate or org is readable afterwards,
 * 1 otherwise or when the ledger fails its MAC check (nothing is changed then).
 */
export async function runErasuresReapply(config: Config, argv: string[], out: Out): Promise<number> {
  const v = commandArgs('erasures reapply', argv, { 'dry-run': { type: 'boolean' } });
  const dryRun = Boolean(v['dry-run']);
  const ledger = erasureLedgerOf(config);
  return withDb(config.databaseUrl.reveal(), async (db) => {
    const clock = () => new Date();
    const audit = createAuditLog({ db });
    const offboarding = createOffboardingService({ db, audit, ledger, clock, logger: createLogger('silent') });
    const { createErasureReapplier } = await import('./reapply.js');
    const r = await createErasureReapplier({ db, audit, keyring: keyringOf(config), blobs: createPostgresBlobStore(), ledger, offboarding, clock }).reapply({ dryRun });
    const human = [
      `erasure ledger ${ledger.file}: ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'}${dryRun ? ' (dry run: nothing changed)' : ''}`,
      `candidates: ${r.candidates.erased} erased again, ${r.candidates.keysDestroyed} restored key(s) destroyed, ${r.candidates.alreadyErased} already erased, ${r.candidates.absent} not in this database`,
      `orgs: ${r.orgs.deleted} deleted again, ${r.orgs.alreadyDeleted} already deleted, ${r.orgs.absent} not in this database`,
      `erased candidates or orgs still readable: ${r.readable}`,
    ];
    print(out, human.join('\n'), { ok: r.readable === 0, dryRun, ...r });
    // A dry run reports; only a real run fails on what is still readable.
    return r.readable === 0 || dryRun ? 0 : 1;
  });
}
