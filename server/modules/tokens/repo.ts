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

interface Row {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_by: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
}

const COLUMNS = 'id, org_id, user_id, name, prefix, scopes, created_by, created_at, expires_at, revoked_at, last_used_at, last_used_ip';

function toToken(r: Row): ApiTokenRow {
  return {
    id: r.id,
    orgId: r.org_id,
    userId: r.user_id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
    lastUsedIp: r.last_used_ip,
  };
}

export async function apiTokenOrg(db: Queryable, secretHash: Buffer): Promise<string | null> {
  const { rows } = await db.query<{ org_id: string | null }>('SELECT api_token_org($1) AS org_id', [secretHash]);
  return rows[0]?.org_id ?? null;
}

/** The token with its owner's current role in this org (null role: no longer a member). */
export async function findTokenByHash(db: Queryable, secretHash: Buffer): Promise<(ApiTokenRow & { ownerRole: Role | null }) | null> {
  const { rows } = await db.query<Row & { owner_role: Role | null }>(
    `SELECT ${COLUMNS.split(', ').map((c) => `t.${c}`).join(', ')}, m.role AS owner_role
       FROM api_tokens t LEFT JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id
      WHERE t.secret_hash = $1`,
    [secretHash],
  );
  const r = rows[0];
  return r ? { ...toToken(r), ownerRole: r.owner_role } : null;
}

export async function insertToken(
  db: Queryable,
  t: { orgId: string; userId: string; name: string; prefix: string; secretHash: Buffer; scopes: string[]; createdBy: string; createdAt: Date; expiresAt: Date },
): Promise<ApiTokenRow> {
  const { rows } = await db.query<Row>(
    `INSERT INTO api_tokens (org_id, user_id, name, prefix, secret_hash, scopes, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [t.orgId, t.userId, t.name, t.prefix, t.secretHash, t.scopes, t.createdBy, t.createdAt, t.expiresAt],
  );
  return toToken(rows[0] as Row);
}

/** Tokens of the org (userId null) or of one member, newest first. */
export async function listTokens(db: Queryable, userId: string | null): Promise<ApiTokenRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE ($1::uuid IS NULL OR user_id = $1) ORDER BY created_at DESC LIMIT 1000`,
    [userId],
  );
  return rows.map(toToken);
}

export async function findToken(db: Queryable, id: string): Promise<ApiTokenRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ? toToken(rows[0]) : null;
}

export async function revokeToken(db: Queryable, id: string, by: string, at: Date): Promise<void> {
  await db.query('UPDATE api_tokens SET revoked_at = $3, revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL', [id, by, at]);
}

export async function touchToken(db: Queryable, id: string, at: Date, ip: string): Promise<void> {
  await db.query('UPDATE api_tokens SET last_used_at = $2, last_used_ip = $3 WHERE id = $1', [id, at, ip]);
}
