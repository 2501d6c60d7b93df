// SQL for the org's privacy contact and its notice versions. Tenant-bound connections (RLS).
import type { Queryable } from '../../core/db.js';

export interface NoticeSettingsRow {
  privacy_contact_email: string | null;
  privacy_contact_url: string | null;
  updated_at: Date;
  updated_by: string | null;
}

export async function getNoticeSettings(q: Queryable): Promise<NoticeSettingsRow | null> {
  const { rows } = await q.query<NoticeSettingsRow>('SELECT privacy_contact_email, privacy_contact_url, updated_at, updated_by FROM notice_settings');
  return rows[0] ?? null;
}

export async function upsertNoticeSettings(tx: Queryable, orgId: string, s: { email: string | null; url: string | null }, userId: string | null): Promise<void> {
  await tx.query(
    `INSERT INTO notice_settings (org_id, privacy_contact_email, privacy_contact_url, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (org_id) DO UPDATE SET privacy_contact_email = EXCLUDED.privacy_contact_email, privacy_contact_url = EXCLUDED.privacy_contact_url,
       updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [orgId, s.email, s.url, userId],
  );
}

export interface NoticeVersionRow {
  version: number;
  content_sha256: Buffer;
  retention_days: number;
  privacy_contact_email: string | null;
  privacy_contact_url: string | null;
  created_at: Date;
}

const VERSION_COLUMNS = 'version, content_sha256, retention_days, privacy_contact_email, privacy_contact_url, created_at';

/** Serialises version creation per org (two first page views must not both insert version n+1). */
export async function lockNoticeVersions(tx: Queryable, orgId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('notice_versions:' || $1::text, 0))", [orgId]);
}

export async function latestNoticeVersion(q: Queryable): Promise<NoticeVersionRow | null> {
  const { rows } = await q.query<NoticeVersionRow>(`SELECT ${VERSION_COLUMNS} FROM notice_versions ORDER BY version DESC LIMIT 1`);
  return rows[0] ?? null;
}

export async function insertNoticeVersion(
  tx: Queryable,
  v: { orgId: string; version: number; sha256: Buffer; retentionDays: number; email: string | null; url: string | null },
): Promise<NoticeVersionRow> {
  const { rows } = await tx.query<NoticeVersionRow>(
    `INSERT INTO notice_versions (org_id, version, content_sha256, retention_days, privacy_contact_email, privacy_contact_url)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${VERSION_COLUMNS}`,
    [v.orgId, v.version, v.sha256, v.retentionDays, v.email, v.url],
  );
  return rows[0] as NoticeVersionRow;
}

export async function listNoticeVersions(q: Queryable, limit: number): Promise<NoticeVersionRow[]> {
  const { rows } = await q.query<NoticeVersionRow>(`SELECT ${VERSION_COLUMNS} FROM notice_versions ORDER BY version DESC LIMIT $1`, [limit]);
  return rows;
}
