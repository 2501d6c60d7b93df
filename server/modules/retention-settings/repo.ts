// SQL for the per-org retention setting (how many days closed candidates are kept). Its own
// module so candidate notices can show the setting without importing the retention module,
// which itself shows notices (a module-level import cycle). Tenant-bound connections (RLS).
import type { Queryable } from '../../core/db.js';

export const DEFAULT_RETENTION_DAYS = 180;

export interface RetentionRow {
  days: number;
  updated_at: Date | null;
  updated_by: string | null;
}

export async function getRetention(q: Queryable): Promise<RetentionRow> {
  const { rows } = await q.query<RetentionRow>('SELECT days, updated_at, updated_by FROM retention_settings');
  return rows[0] ?? { days: DEFAULT_RETENTION_DAYS, updated_at: null, updated_by: null };
}

export async function upsertRetention(tx: Queryable, orgId: string, days: number, userId: string): Promise<RetentionRow> {
  const { rows } = await tx.query<RetentionRow>(
    `INSERT INTO retention_settings (org_id, days, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (org_id) DO UPDATE SET days = EXCLUDED.days, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING days, updated_at, updated_by`,
    [orgId, days, userId],
  );
  return rows[0] as RetentionRow;
}
