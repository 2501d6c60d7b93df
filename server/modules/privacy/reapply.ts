// `hirebox erasures reapply` (issue 18): re-applies every erasure ledger entry
// (server/core/erasure-ledger.ts) to the current database. Run by ops/scripts/restore.sh and
// restore-drill.sh on the restored database before it is swapped in / before the app
// serves; safe to run any time (idempotent). Per entry:
//   candidate: not erased in this database -> the normal eraser runs again (rows scrubbed,
//              files deleted, key destroyed, `candidate.erased` audited with via: ledger);
//              erased but a wrapped key is back -> the key is destroyed and audited;
//              erased and keyless, or absent (a backup older than the candidate) -> nothing.
//   org:       not yet deleted -> offboarding is marked started (at the ledger time) and the
//              org deletion runs (rows, org key, member accounts; `org.deleted` audited).
// Afterwards every ledger candidate and org is checked again: `readable` must be 0.
// --dry-run only counts what is readable and changes nothing.
import type { ActorType, AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import type { ErasureLedger, LedgerEntry } from '../../core/erasure-ledger.js';
import type { BlobStore } from '../../core/storage.js';
import { createCandidateEraser } from '../retention/index.js';
import { lockCandidate } from '../retention/index.js';
import type { createOffboardingService } from './offboarding.js';
import { candidateKeyPresent, countReadableCandidates, findOrgState, markOffboardingStarted, orgStillReadable } from './repo.js';

export interface ReapplyResult {
  entries: number;
  candidates: { erased: number; keysDestroyed: number; alreadyErased: number; absent: number };
  orgs: { deleted: number; alreadyDeleted: number; absent: number };
  /** Ledger candidates and orgs still readable after the run (must be 0). */
  readable: number;
}

const SYSTEM: { type: ActorType } = { type: 'system' };

export function createErasureReapplier(deps: {
  // GlobalDb: org state (offboarding) lives in the global orgs table.
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  keyring: Keyring;
  blobs: BlobStore;
  ledger: ErasureLedger;
  offboarding: Pick<ReturnType<typeof createOffboardingService>, 'deleteOrg'>;
  clock: () => Date;
}) {
  const { db } = deps;
  const eraseCandidateIn = createCandidateEraser(deps);

  async function candidate(e: LedgerEntry, out: ReapplyResult): Promise<void> {
    const candidateId = e.candidateId as string;
    const outcome = await db.withTenantTx(e.orgId, async (tx) => {
      const row = await lockCandidate(tx, candidateId);
      if (!row) return 'absent' as const;
      const metadata = { via: 'ledger', ledgerErasedAt: e.at };
      if (!row.erased_at) {
        await eraseCandidateIn(tx, e.orgId, candidateId, { reason: e.reason === 'retention' ? 'retention' : 'request', actor: SYSTEM, metadata, ledger: false });
        return 'erased' as const;
      }
      if (await candidateKeyPresent(tx, candidateId)) {
        await deps.keyring.destroyCandidateKey(tx, e.orgId, candidateId);
        await deps.audit.recordIn(tx, e.orgId, { action: 'candidate.key_destroyed', actor: SYSTEM, target: { type: 'candidate', id: candidateId }, metadata });
        return 'key' as const;
      }
      return 'already' as const;
    });
    if (outcome === 'erased') out.candidates.erased += 1;
    else if (outcome === 'key') out.candidates.keysDestroyed += 1;
    else if (outcome === 'already') out.candidates.alreadyErased += 1;
    else out.candidates.absent += 1;
  }

  async function org(e: LedgerEntry, out: ReapplyResult): Promise<void> {
    const state = await findOrgState(db.pool, e.orgId);
    if (!state) {
      out.orgs.absent += 1;
      return;
    }
    if (state.offboarded_at) {
      out.orgs.alreadyDeleted += 1;
      return;
    }
    // The restored database may predate the offboarding: the deletion needs it started.
    await markOffboardingStarted(db.pool, e.orgId, new Date(e.at));
    const deleted = await deps.offboarding.deleteOrg(e.orgId, { ledger: false });
    if (deleted) out.orgs.deleted += 1;
    else out.orgs.alreadyDeleted += 1;
  }

  return {
    /** dryRun: change nothing, only count what is readable (the restore drill's "before"). */
    async reapply(opts: { dryRun?: boolean } = {}): Promise<ReapplyResult> {
      const entries = await deps.ledger.read();
      const out: ReapplyResult = { entries: entries.length, candidates: { erased: 0, keysDestroyed: 0, alreadyErased: 0, absent: 0 }, orgs: { deleted: 0, alreadyDeleted: 0, absent: 0 }, readable: 0 };
      for (const e of opts.dryRun ? [] : entries) {
        if (e.kind === 'candidate') await candidate(e, out);
        else await org(e, out);
      }
      // The check reads the database again rather than trusting the counters above.
      const byOrg = new Map<string, string[]>();
      for (const e of entries) if (e.kind === 'candidate' && e.candidateId) byOrg.set(e.orgId, [...(byOrg.get(e.orgId) ?? []), e.candidateId]);
      for (const [orgId, ids] of byOrg) out.readable += await db.withTenant(orgId, (q) => countReadableCandidates(q, [...new Set(ids)]));
      for (const orgId of new Set(entries.filter((e) => e.kind === 'org').map((e) => e.orgId))) {
        if (await db.withTenant(orgId, (q) => orgStillReadable(q, orgId))) out.readable += 1;
      }
      return out;
    },
  };
}
