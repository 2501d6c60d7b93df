// Data subject requests (DESIGN section 9): erasure of one candidate on request, through the
// same eraser as the retention sweep (server/modules/retention/erase.ts), whatever the
// state of the candidate's applications (open ones are withdrawn as part of it). Callers:
// POST /api/v1/candidates/:id/erasure (admins, privacy:manage) and `hirebox erase candidate`.
import type { ActorType, AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import type { ErasureLedger } from '../../core/erasure-ledger.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { BlobStore } from '../../core/storage.js';
import type { Ctx } from '../../core/context.js';
import { createCandidateEraser, retryOnDeadlock, type ErasureResult } from '../retention/index.js';
import { lockCandidate } from '../retention/index.js';
import type { Logger } from 'pino';
import { enqueueDeletions, type VapiDeletionProducer } from '../interviews/index.js';
import { closeLinkedRequest } from '../rights/index.js';

export interface ErasureRequest {
  /** The request's ticket or case reference (no PII: letters, digits and a few separators). */
  reference: string;
  /** The register entry (server/modules/rights) this erasure answers: closed in the same transaction. */
  privacyRequestId?: string;
}

export interface ErasureOutcome extends ErasureResult {
  candidateId: string;
  erasedAt: string;
  reason: 'request';
  reference: string;
  privacyRequestId: string | null;
}

export function createPrivacyService(deps: { db: TenantDb; audit: AuditLog; keyring: Keyring; blobs: BlobStore; ledger: ErasureLedger; clock: () => Date; vapiDeletions?: VapiDeletionProducer; logger?: Logger }) {
  const eraseCandidateIn = createCandidateEraser(deps);

  async function erase(orgId: string, candidateId: string, request: ErasureRequest, who: { actor: { type: ActorType; id?: string | null }; via: 'api' | 'cli'; role?: string; requestId?: string | null }): Promise<ErasureOutcome> {
    const outcome = await retryOnDeadlock(() => deps.db.withTenantTx(orgId, async (tx) => {
      const row = await lockCandidate(tx, candidateId);
      if (!row) throw new NotFoundError({ resource: 'Candidate' });
      if (row.erased_at) {
        throw new ConflictError({ detail: "This candidate's data has already been erased.", extra: { erasedAt: row.erased_at.toISOString() } });
      }
      // Checked (and closed) first: a request that does not fit stops the erasure before it starts.
      if (request.privacyRequestId) {
        await closeLinkedRequest(tx, deps.audit, orgId, { privacyRequestId: request.privacyRequestId, candidateId, action: 'erasure', actor: who.actor, requestId: who.requestId ?? null, now: deps.clock() });
      }
      const result = await eraseCandidateIn(tx, orgId, candidateId, {
        reason: 'request',
        actor: who.actor,
        requestId: who.requestId ?? null,
        metadata: { reference: request.reference, via: who.via, ...(request.privacyRequestId ? { privacyRequestId: request.privacyRequestId } : {}), ...(who.role ? { role: who.role } : {}) },
      });
      const { vapiCallIds, ...counts } = result;
      return { outcome: { candidateId, erasedAt: deps.clock().toISOString(), reason: 'request' as const, reference: request.reference, privacyRequestId: request.privacyRequestId ?? null, ...counts }, vapiCallIds };
    }));
    if (deps.logger) await enqueueDeletions(deps.vapiDeletions, deps.logger, orgId, outcome.vapiCallIds);
    return outcome.outcome;
  }

  return {
    /** An admin's erasure request through the API: 404 for another org's candidate, 409 when already erased. */
    eraseCandidate(ctx: Ctx, candidateId: string, request: ErasureRequest): Promise<ErasureOutcome> {
      return erase(ctx.orgId, candidateId, request, { actor: { type: 'user', id: ctx.userId }, via: 'api', role: ctx.role, requestId: ctx.requestId });
    },

    /** The operator's `hirebox erase candidate` (actor: system, via cli). */
    eraseCandidateAsOperator(orgId: string, candidateId: string, request: ErasureRequest): Promise<ErasureOutcome> {
      return erase(orgId, candidateId, request, { actor: { type: 'system' }, via: 'cli' });
    },
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
