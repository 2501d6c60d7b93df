// API tokens (migration 0040). Tenant rows, except apiTokenOrg, which maps a token hash to
// its org through the one SECURITY DEFINER function so the caller can bind that org next.
import type { Queryable } from '../../core/db.js';
import type { Role } from '../../core/permissions.js';

export interface ApiTokenRow {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

// Aliased to ApiTokenRow's names, so the rows need no mapping.
const COLUMNS =
  'id, org_id AS "orgId", user_id AS "userId", name, prefix, scopes, created_by AS "createdBy", created_at AS "createdAt", ' +
  'expires_at AS "expiresAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt", last_used_ip AS "lastUsedIp"';

export async function apiTokenOrg(db: Queryable, secretHash: Buffer): Promise<string | null> {
  const { rows } = await db.query<{ org_id: string | null }>('SELECT api_token_org($1) AS org_id', [secretHash]);
  return rows[0]?.org_id ?? null;
}

/** The token with its owner's current role in this org (null role: no longer a member). */
export async function findTokenByHash(db: Queryable, secretHash: Buffer): Promise<(ApiTokenRow & { ownerRole: Role | null }) | null> {
  const { rows } = await db.query<ApiTokenRow & { ownerRole: Role | null }>(
    `SELECT ${COLUMNS.split(', ').map((c) => `t.${c}`).join(', ')}, m.role AS "ownerRole"
       FROM api_tokens t LEFT JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id
      WHERE t.secret_hash = $1`,
    [secretHash],
  );
  return rows[0] ?? null;
}

export async function insertToken(
  db: Queryable,
  t: { orgId: string; userId: string; name: string; prefix: string; secretHash: Buffer; scopes: string[]; createdBy: string; createdAt: Date; expiresAt: Date },
): Promise<ApiTokenRow> {
  const { rows } = await db.query<ApiTokenRow>(
    `INSERT INTO api_tokens (org_id, user_id, name, prefix, secret_hash, scopes, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [t.orgId, t.userId, t.name, t.prefix, t.secretHash, t.scopes, t.createdBy, t.createdAt, t.expiresAt],
  );
  return rows[0] as ApiTokenRow;
}

/** Tokens of the org (userId null) or of one member, newest first. */
export async function listTokens(db: Queryable, userId: string | null): Promise<ApiTokenRow[]> {
  const { rows } = await db.query<ApiTokenRow>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE ($1::uuid IS NULL OR user_id = $1) ORDER BY created_at DESC LIMIT 1000`,
    [userId],
  );
  return rows;
}

export async function findToken(db: Queryable, id: string): Promise<ApiTokenRow | null> {
  const { rows } = await db.query<ApiTokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ?? null;
}

export async function revokeToken(db: Queryable, id: string, by: string, at: Date): Promise<void> {
  await db.query('UPDATE api_tokens SET revoked_at = $3, revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL', [id, by, at]);
}

export async function touchToken(db: Queryable, id: string, at: Date, ip: string): Promise<void> {
  await db.query('UPDATE api_tokens SET last_used_at = $2, last_used_ip = $3 WHERE id = $1', [id, at, ip]);
}
