// SQL of master key rotation (`hirebox keys rotate|status`). These run over the owner
// connection (MIGRATION_DATABASE_URL): the app role may not UPDATE org_keys (0003, 0027).
// org_keys is a tenant table, so every org_keys call runs inside withTenant/withTenantTx.
import type { Queryable } from '../../core/db.js';

export interface OrgKeyRow {
  wrappedKey: Buffer;
  /** Null: wrapped before migration 0027 recorded ids. */
  masterKeyId: string | null;
}

type Row = { wrapped_key: Buffer; master_key_id: string | null };

/** The org's wrapped key, locked until the transaction ends (one re-wrap at a time). */
export async function lockOrgKey(tx: Queryable, orgId: string): Promise<OrgKeyRow | null> {
  const { rows } = await tx.query<Row>('SELECT wrapped_key, master_key_id FROM org_keys WHERE org_id = $1 FOR UPDATE', [orgId]);
  const r = rows[0];
  return r ? { wrappedKey: r.wrapped_key, masterKeyId: r.master_key_id } : null;
}

export async function findOrgKey(q: Queryable, orgId: string): Promise<OrgKeyRow | null> {
  const { rows } = await q.query<Row>('SELECT wrapped_key, master_key_id FROM org_keys WHERE org_id = $1', [orgId]);
  const r = rows[0];
  return r ? { wrappedKey: r.wrapped_key, masterKeyId: r.master_key_id } : null;
}

export async function storeRewrappedOrgKey(tx: Queryable, orgId: string, wrappedKey: Buffer, masterKeyId: string): Promise<void> {
  await tx.query('UPDATE org_keys SET wrapped_key = $2, master_key_id = $3, rewrapped_at = now() WHERE org_id = $1', [orgId, wrappedKey, masterKeyId]);
}

export type UserSecretColumn = 'totp_secret_enc' | 'totp_pending_secret_enc';

export interface UserSecretRow {
  userId: string;
  totpSecretEnc: Buffer | null;
  totpPendingSecretEnc: Buffer | null;
}

/** Users holding a sealed MFA secret, in id order after `afterId` (keyset paging). */
export async function listUserSecrets(q: Queryable, afterId: string | null, limit: number): Promise<UserSecretRow[]> {
  const { rows } = await q.query<{ id: string; totp_secret_enc: Buffer | null; totp_pending_secret_enc: Buffer | null }>(
    `SELECT id, totp_secret_enc, totp_pending_secret_enc FROM users
      WHERE (totp_secret_enc IS NOT NULL OR totp_pending_secret_enc IS NOT NULL)
        AND ($1::uuid IS NULL OR id > $1::uuid)
      ORDER BY id LIMIT $2`,
    [afterId, limit],
  );
  return rows.map((r) => ({ userId: r.id, totpSecretEnc: r.totp_secret_enc, totpPendingSecretEnc: r.totp_pending_secret_enc }));
}

/**
 * Compare-and-set: replaces the sealed secret only if it is still the one read, so a user
 * who re-enrols (or disables MFA) meanwhile keeps what they set. True when it was replaced.
 */
export async function replaceUserSecret(tx: Queryable, userId: string, column: UserSecretColumn, expected: Buffer, sealed: Buffer): Promise<boolean> {
  const sql =
    column === 'totp_secret_enc'
      ? 'UPDATE users SET totp_secret_enc = $3 WHERE id = $1 AND totp_secret_enc = $2'
      : 'UPDATE users SET totp_pending_secret_enc = $3 WHERE id = $1 AND totp_pending_secret_enc = $2';
  const res = await tx.query(sql, [userId, expected, sealed]);
  return (res.rowCount ?? 0) > 0;
}
