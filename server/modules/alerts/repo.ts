// SQL for org alerts. Both tables are tenant tables: every function runs inside the
// caller's tenant context (withTenant / withTenantTx).
import type { Queryable } from '../../core/db.js';

/** 'unknown': a send was claimed and never recorded (worker died after sending); not retried (0057). */
export type ChannelStatus = 'pending' | 'delivered' | 'failed' | 'skipped' | 'unknown';

export interface AlertSettingsRecord {
  emails: string[];
  webhookUrl: string | null;
  webhookSecretEnc: Buffer | null;
  kinds: string[];
  updatedAt: Date | null;
}

export interface AlertRow {
  id: string;
  org_id: string;
  kind: string;
  severity: string;
  summary: string;
  details: Record<string, unknown>;
  suppressed: number;
  email_status: ChannelStatus;
  webhook_status: ChannelStatus;
  delivery_attempts: number;
  last_error: string | null;
  created_at: Date;
  email_claimed_at: Date | null;
  webhook_claimed_at: Date | null;
}

export async function getAlertSettings(q: Queryable, orgId: string): Promise<AlertSettingsRecord | null> {
  const { rows } = await q.query<{ emails: string[]; webhook_url: string | null; webhook_secret_enc: Buffer | null; kinds: string[]; updated_at: Date }>(
    'SELECT emails, webhook_url, webhook_secret_enc, kinds, updated_at FROM org_alert_settings WHERE org_id = $1',
    [orgId],
  );
  const r = rows[0];
  return r ? { emails: r.emails, webhookUrl: r.webhook_url, webhookSecretEnc: r.webhook_secret_enc, kinds: r.kinds, updatedAt: r.updated_at } : null;
}

/** Writes the settings; a null secret keeps the stored one. */
export async function upsertAlertSettings(q: Queryable, orgId: string, s: { emails: string[]; webhookUrl: string | null; webhookSecretEnc: Buffer | null; kinds: string[] }): Promise<void> {
  await q.query(
    `INSERT INTO org_alert_settings (org_id, emails, webhook_url, webhook_secret_enc, kinds, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (org_id) DO UPDATE SET emails = EXCLUDED.emails, webhook_url = EXCLUDED.webhook_url,
       webhook_secret_enc = COALESCE(EXCLUDED.webhook_secret_enc, org_alert_settings.webhook_secret_enc),
       kinds = EXCLUDED.kinds, updated_at = now()`,
    [orgId, s.emails, s.webhookUrl, s.webhookSecretEnc, s.kinds],
  );
}

/** Serialises raises of one kind in one org for the rest of the transaction (throttle check-then-insert). */
export async function lockKind(q: Queryable, orgId: string, kind: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`alert:${orgId}:${kind}`]);
}

/** The newest alert of this kind raised since `since`, if any. */
export async function recentAlertOfKind(q: Queryable, kind: string, since: Date): Promise<{ id: string } | null> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM alerts WHERE kind = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT 1', [kind, since]);
  return rows[0] ?? null;
}

export async function countSuppressed(q: Queryable, id: string): Promise<void> {
  await q.query('UPDATE alerts SET suppressed = suppressed + 1 WHERE id = $1', [id]);
}

export async function insertAlert(
  q: Queryable,
  a: { id: string; orgId: string; kind: string; severity: string; summary: string; details: Record<string, unknown>; emailStatus: ChannelStatus; webhookStatus: ChannelStatus; createdAt: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO alerts (id, org_id, kind, severity, summary, details, email_status, webhook_status, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [a.id, a.orgId, a.kind, a.severity, a.summary, JSON.stringify(a.details), a.emailStatus, a.webhookStatus, a.createdAt],
  );
}

export async function findAlert(q: Queryable, id: string): Promise<AlertRow | null> {
  const { rows } = await q.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/**
 * Claims the channels about to be sent (0057) and stores statuses resolved beforehand, only if
 * the claims are still what this attempt read (compare-and-set): false = another attempt
 * got there first. Committed before any send.
 */
export async function claimChannels(
  q: Queryable,
  id: string,
  s: { emailStatus: ChannelStatus; webhookStatus: ChannelStatus; email: boolean; webhook: boolean; at: Date; seen: { email: Date | null; webhook: Date | null } },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE alerts SET email_status = $2, webhook_status = $3,
       email_claimed_at = CASE WHEN $4 THEN $6::timestamptz ELSE email_claimed_at END,
       webhook_claimed_at = CASE WHEN $5 THEN $6::timestamptz ELSE webhook_claimed_at END
     WHERE id = $1 AND email_claimed_at IS NOT DISTINCT FROM $7::timestamptz AND webhook_claimed_at IS NOT DISTINCT FROM $8::timestamptz`,
    [id, s.emailStatus, s.webhookStatus, s.email, s.webhook, s.at, s.seen.email, s.seen.webhook],
  );
  return rowCount === 1;
}

/** Records an attempt's outcome; the outcome is known, so the claims are released. */
export async function updateDelivery(q: Queryable, id: string, s: { emailStatus: ChannelStatus; webhookStatus: ChannelStatus; lastError: string | null }): Promise<void> {
  await q.query('UPDATE alerts SET email_status = $2, webhook_status = $3, last_error = $4, delivery_attempts = delivery_attempts + 1, email_claimed_at = NULL, webhook_claimed_at = NULL WHERE id = $1', [
    id,
    s.emailStatus,
    s.webhookStatus,
    s.lastError,
  ]);
}

/** Newest first; the cursor is the (created_at, id) of the last row of the previous page. */
export async function listAlerts(q: Queryable, limit: number, cursor: { createdAt: Date; id: string } | null): Promise<AlertRow[]> {
  const { rows } = cursor
    ? await q.query<AlertRow>('SELECT * FROM alerts WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3', [cursor.createdAt, cursor.id, limit])
    : await q.query<AlertRow>('SELECT * FROM alerts ORDER BY created_at DESC, id DESC LIMIT $1', [limit]);
  return rows;
}
