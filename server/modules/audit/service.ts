import type { AuditLog, StoredAuditEvent, VerifyResult } from '../../core/audit.js';
import type { TenantDb } from '../../core/db.js';
import type { RequestContext } from '../../core/context.js';
import { listAuditEvents } from './repo.js';

export function createAuditService(deps: { db: TenantDb; audit: AuditLog }) {
  return {
    async listEvents(ctx: RequestContext, filter: { afterSeq: number; limit: number; action?: string }): Promise<{ events: StoredAuditEvent[]; nextAfterSeq: number | null }> {
      // Fetch one extra row to know whether another page exists.
      const rows = await deps.db.withTenant(ctx.orgId, (db) => listAuditEvents(db, { ...filter, limit: filter.limit + 1 }));
      const events = rows.slice(0, filter.limit);
      return { events, nextAfterSeq: rows.length > filter.limit ? (events.at(-1)?.seq ?? null) : null };
    },

    async verify(ctx: RequestContext): Promise<VerifyResult> {
      const result = await deps.audit.verify(ctx.orgId);
      await deps.audit.record(ctx.orgId, {
        action: 'audit.verified',
        actor: { type: 'user', id: ctx.userId },
        metadata: { ok: result.ok, eventsChecked: result.eventsChecked, firstBrokenSeq: result.firstBroken?.seq ?? null },
        requestId: ctx.requestId,
      });
      return result;
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
