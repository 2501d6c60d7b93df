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
