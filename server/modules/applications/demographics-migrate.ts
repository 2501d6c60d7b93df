// One-off data step of migration 0038: demographics written as free text before the fixed
// categories are decrypted with their candidate's key, mapped where the meaning is
// unambiguous (applications/demographics.ts) and re-encrypted; the rest becomes "not
// answered". It cannot be SQL: the answers are sealed under per-candidate keys.
//
// Run by `hirebox migrate` right after the SQL migrations (the deploy step that already
// runs once, before the new app serves), not by the worker at start: several workers would
// race, and the app would serve bias reports on half-mapped data meanwhile. Idempotent:
// only rows still at categories_version 0 are touched, in batches, each batch in its own
// tenant transaction with rows locked; one audit event per org says how many rows and
// answers were mapped or dropped (counts only, never an answer).
import { DecryptionError, KeyDestroyedError, MasterKeyMissingError, type Keyring } from '../../core/crypto.js';
import type { AuditLog } from '../../core/audit.js';
import type { GlobalDb, Queryable, TenantDb } from '../../core/db.js';
import { listOrgIds } from '../orgs/index.js';
import { mapLegacyAnswers } from './demographics.js';

const BATCH = 200;

interface LegacyRow {
  id: string;
  candidate_id: string;
  data_enc: Buffer;
}

async function lockLegacyBatch(tx: Queryable): Promise<LegacyRow[]> {
  const { rows } = await tx.query<LegacyRow>(
    `SELECT d.id, a.candidate_id, d.data_enc FROM demographics d JOIN applications a ON a.id = d.application_id
      WHERE d.categories_version = 0 ORDER BY d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED`,
    [BATCH],
  );
  return rows;
}

export interface DemographicsMigrationResult {
  orgs: number;
  rows: number;
  mappedAnswers: number;
  droppedAnswers: number;
  unreadable: number;
}

// GlobalDb: the migration visits every org, across tenants.
export async function migrateDemographicCategories(deps: { db: TenantDb & GlobalDb; audit: AuditLog; keyring: Keyring }): Promise<DemographicsMigrationResult> {
  const total: DemographicsMigrationResult = { orgs: 0, rows: 0, mappedAnswers: 0, droppedAnswers: 0, unreadable: 0 };
  for (const orgId of await listOrgIds(deps.db.pool)) {
    const org = { rows: 0, mappedAnswers: 0, droppedAnswers: 0, unreadable: 0 };
    for (;;) {
      const done = await deps.db.withTenantTx(orgId, async (tx) => {
        const batch = await lockLegacyBatch(tx);
        for (const r of batch) {
          let answers: Record<string, unknown> | null = null;
          let cipher = null;
          try {
            cipher = await deps.keyring.candidateCipher(tx, orgId, r.candidate_id);
            answers = JSON.parse(cipher.openText('demographics', 'data_enc', r.id, r.data_enc)) as Record<string, unknown>;
          } catch (err) {
            // A missing master key is an operator error, never a reason to drop data.
            if (err instanceof MasterKeyMissingError) throw err;
            if (!(err instanceof KeyDestroyedError) && !(err instanceof DecryptionError) && !(err instanceof SyntaxError)) throw err;
          }
          if (!cipher || !answers || typeof answers !== 'object') {
            // Unreadable (erased key or damaged): nothing can be mapped, so nothing is kept.
            await tx.query('DELETE FROM demographics WHERE id = $1', [r.id]);
            org.unreadable += 1;
            continue;
          }
          const { mapped, dropped } = mapLegacyAnswers(answers);
          await tx.query('UPDATE demographics SET data_enc = $2, categories_version = 1 WHERE id = $1', [r.id, cipher.seal('demographics', 'data_enc', r.id, JSON.stringify(mapped))]);
          org.rows += 1;
          org.mappedAnswers += Object.keys(mapped).length;
          org.droppedAnswers += dropped;
        }
        return batch.length < BATCH;
      });
      if (done) break;
    }
    if (org.rows + org.unreadable > 0) {
      await deps.audit.record(orgId, { action: 'demographics.categories_migrated', actor: { type: 'system' }, metadata: { ...org } });
      total.orgs += 1;
    }
    total.rows += org.rows;
    total.mappedAnswers += org.mappedAnswers;
    total.droppedAnswers += org.droppedAnswers;
    total.unreadable += org.unreadable;
  }
  return total;
}
