// Candidates: reading one candidate's PII is decrypted on demand and audited (who viewed
// whom, when). Hiring managers reach only candidates with an application on their jobs.
import type { AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { decryptCandidate } from './decrypt.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { applicationsOfCandidate, candidateVisibleTo, findCandidate } from './repo.js';

export function createCandidateService(deps: { db: TenantDb; audit: AuditLog; keyring: Keyring }) {
  return {
    async get(ctx: Ctx, id: string) {
      return deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const row = await findCandidate(tx, id);
        const scope = assignedScope(ctx);
        if (!row || (scope && !(await candidateVisibleTo(tx, id, scope)))) throw new NotFoundError({ resource: 'Candidate' });
        let cipher;
        try {
          cipher = await deps.keyring.candidateCipher(tx, ctx.orgId, id);
        } catch (err) {
          if (err instanceof KeyDestroyedError) throw new NotFoundError({ resource: 'Candidate', detail: "This candidate's data has been erased." });
          throw err;
        }
        const candidate = decryptCandidate(cipher, row);
        const apps = await applicationsOfCandidate(tx, id, scope);
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'candidate.viewed',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'candidate', id },
          metadata: { via: 'candidate', role: ctx.role },
          requestId: ctx.requestId,
        });
        return {
          ...candidate,
          createdAt: row.created_at.toISOString(),
          applications: apps.map((a) => ({ id: a.id, jobId: a.job_id, jobTitle: a.job_title, stageKind: a.stage_kind, createdAt: a.created_at.toISOString() })),
        };
      });
    },
  };
}

export type CandidateService = ReturnType<typeof createCandidateService>;
