import { EVENT_COLUMNS, toStoredEvent, type EventRowShape, type StoredAuditEvent } from '../../core/audit.js';
import type { Queryable } from '../../core/db.js';

export async function listAuditEvents(
  db: Queryable,
  filter: { afterSeq: number; limit: number; action?: string },
): Promise<StoredAuditEvent[]> {
  const { rows } = await db.query<EventRowShape>(
    `SELECT ${EVENT_COLUMNS} FROM audit_events
      WHERE seq > $1 AND ($2::text IS NULL OR action = $2)
      ORDER BY seq LIMIT $3`,
    [filter.afterSeq, filter.action ?? null, filter.limit],
  );
  return rows.map(toStoredEvent);
}

// --- aggregated access denials (403s), see denials.ts -------------------------------------

export interface DenialKey {
  orgId: string;
  userId: string;
  permission: string;
  route: string;
  windowStart: Date;
}

/** Counts one denial in its window; returns the window's count so far (1 = the first one). */
export async function countDenial(tx: Queryable, key: DenialKey, at: Date): Promise<number> {
  const { rows } = await tx.query<{ denied: number }>(
    `INSERT INTO access_denials (org_id, user_id, permission, route, window_start, denied, first_at, last_at)
     VALUES ($1, $2, $3, $4, $5, 1, $6, $6)
     ON CONFLICT (org_id, user_id, permission, route, window_start)
     DO UPDATE SET denied = access_denials.denied + 1, last_at = GREATEST(access_denials.last_at, EXCLUDED.last_at)
     RETURNING denied`,
    [key.orgId, key.userId, key.permission, key.route, key.windowStart, at],
  );
  return rows[0]?.denied ?? 1;
}

export interface ClosedDenialWindow extends DenialKey {
  denied: number;
  firstAt: Date;
  lastAt: Date;
}

/** Removes and returns the windows that started at or before `closedBefore` (the caller writes their summaries in the same transaction). */
export async function takeClosedDenials(tx: Queryable, closedBefore: Date): Promise<ClosedDenialWindow[]> {
  const { rows } = await tx.query<{ org_id: string; user_id: string; permission: string; route: string; window_start: Date; denied: number; first_at: Date; last_at: Date }>(
    `DELETE FROM access_denials WHERE window_start <= $1
     RETURNING org_id, user_id, permission, route, window_start, denied, first_at, last_at`,
    [closedBefore],
  );
  return rows
    .map((r) => ({ orgId: r.org_id, userId: r.user_id, permission: r.permission, route: r.route, windowStart: r.window_start, denied: r.denied, firstAt: r.first_at, lastAt: r.last_at }))
    .sort((a, b) => a.windowStart.getTime() - b.windowStart.getTime() || a.route.localeCompare(b.route));
}
