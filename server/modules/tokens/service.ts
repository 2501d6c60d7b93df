// API tokens (issue 20 item 1). A token is `hbx_<prefix>_<secret>`: the fixed `hbx_` marker
// and fixed lengths let secret scanners (secretlint's pattern rule, GitHub push protection
// custom patterns) find leaked tokens with one regex; the 12-hex prefix is shown in lists so
// people can tell tokens apart; only SHA-256 of the whole string is stored.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../core/errors.js';
import { PERMISSIONS, ROLE_PERMISSIONS, type Permission, type Role } from '../../core/permissions.js';
import type { RequestContext } from '../../core/context.js';
import { hashToken, newToken } from '../../core/tokens.js';
import { apiTokenOrg, findToken, findTokenByHash, insertToken, listTokens, revokeToken, touchToken, type ApiTokenRow } from './repo.js';

export const TOKEN_PATTERN = /^hbx_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
export const MAX_TOKEN_DAYS = 365;
/** last_used_at / last_used_ip are written at most this often per token (and on an IP change). */
const TOUCH_INTERVAL_MS = 60_000;

export interface TokenPrincipal {
  tokenId: string;
  orgId: string;
  userId: string;
  role: Role;
  /** The token's scopes ∩ the owner's current role's permissions. */
  permissions: readonly Permission[];
}

export interface TokenView {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

export interface CreateTokenInput {
  name: string;
  scopes: Permission[];
  expiresInDays: number;
}

export interface TokenService {
  create(ctx: RequestContext, input: CreateTokenInput): Promise<TokenView & { token: string }>;
  list(ctx: RequestContext): Promise<TokenView[]>;
  revoke(ctx: RequestContext, id: string): Promise<void>;
  /** The principal of a bearer token, or a 401. */
  authenticate(bearer: string, ip: string): Promise<TokenPrincipal>;
}

/** The row without its org and creator, dates as ISO strings. */
function view({ orgId: _orgId, createdBy: _createdBy, createdAt, expiresAt, revokedAt, lastUsedAt, ...same }: ApiTokenRow): TokenView {
  const iso = (d: Date | null): string | null => d?.toISOString() ?? null;
  return { ...same, createdAt: createdAt.toISOString(), expiresAt: expiresAt.toISOString(), revokedAt: iso(revokedAt), lastUsedAt: iso(lastUsedAt) };
}

// GlobalDb: a bearer token names its org only through a global lookup.
export function createTokenService(deps: { db: TenantDb & GlobalDb; audit: AuditLog; clock: () => Date; log: Logger }): TokenService {
  const lastTouch = new Map<string, { at: number; ip: string }>();

  function touch(t: ApiTokenRow, ip: string): void {
    const now = deps.clock();
    const seen = lastTouch.get(t.id) ?? (t.lastUsedAt ? { at: t.lastUsedAt.getTime(), ip: t.lastUsedIp ?? '' } : undefined);
    if (seen && seen.ip === ip && now.getTime() - seen.at < TOUCH_INTERVAL_MS) return;
    lastTouch.set(t.id, { at: now.getTime(), ip });
    if (lastTouch.size > 10_000) lastTouch.delete(lastTouch.keys().next().value as string);
    // Not awaited: bookkeeping must not slow down or fail the request it describes. Audited
    // actions taken with the token carry it as their actor (core/audit.ts tokenActor); this
    // throttled event also records plain reads: the token was in use, when and from where.
    deps.db
      .withTenantTx(t.orgId, async (tx) => {
        await touchToken(tx, t.id, now, ip);
        await deps.audit.recordIn(tx, t.orgId, { action: 'api_token.used', actor: { type: 'token', id: t.id }, target: { type: 'api_token', id: t.id }, metadata: { ip, tokenOwnerUserId: t.userId } });
      })
      .catch((err: unknown) => deps.log.warn({ err, tokenId: t.id }, 'api token last-used update failed'));
  }

  return {
    async create(ctx, input) {
      const allowed = ROLE_PERMISSIONS[ctx.role];
      const beyond = input.scopes.filter((s) => !allowed.includes(s));
      if (beyond.length > 0) throw new ForbiddenError({ detail: 'A token cannot carry permissions your role does not have.', extra: { scopes: beyond } });
      const scopes = PERMISSIONS.filter((p) => input.scopes.includes(p));
      const prefix = randomBytes(6).toString('hex');
      const token = `hbx_${prefix}_${newToken()}`;
      const createdAt = deps.clock();
      const expiresAt = new Date(createdAt.getTime() + input.expiresInDays * 86_400_000);
      const row = await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const inserted = await insertToken(tx, { orgId: ctx.orgId, userId: ctx.userId, name: input.name, prefix, secretHash: hashToken(token), scopes, createdBy: ctx.userId, createdAt, expiresAt });
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'api_token.created',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'api_token', id: inserted.id },
          metadata: { prefix, scopes, expiresAt: expiresAt.toISOString() },
          requestId: ctx.requestId,
        });
        return inserted;
      });
      return { ...view(row), token };
    },

    async list(ctx) {
      // Admins see every token of the org (to revoke a leaked one); others only their own.
      const rows = await deps.db.withTenant(ctx.orgId, (db) => listTokens(db, ctx.role === 'admin' ? null : ctx.userId));
      return rows.map(view);
    },

    async revoke(ctx, id) {
      await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const t = await findToken(tx, id);
        if (!t || (t.userId !== ctx.userId && ctx.role !== 'admin')) throw new NotFoundError({ resource: 'API token' });
        if (t.revokedAt) return;
        await revokeToken(tx, id, ctx.userId, deps.clock());
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'api_token.revoked',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'api_token', id },
          metadata: { prefix: t.prefix, ownerUserId: t.userId },
          requestId: ctx.requestId,
        });
      });
    },

    async authenticate(bearer, ip) {
      if (!TOKEN_PATTERN.test(bearer)) throw new UnauthorizedError({ detail: 'Malformed API token.' });
      const hash = hashToken(bearer);
      const orgId = await apiTokenOrg(deps.db, hash);
      const invalid = new UnauthorizedError({ detail: 'The API token is invalid, expired or revoked.' });
      if (!orgId) throw invalid;
      const t = await deps.db.withTenant(orgId, (db) => findTokenByHash(db, hash));
      if (!t || t.revokedAt || t.expiresAt.getTime() <= deps.clock().getTime() || !t.ownerRole) throw invalid;
      touch(t, ip);
      const rolePermissions = ROLE_PERMISSIONS[t.ownerRole];
      const permissions = PERMISSIONS.filter((p) => t.scopes.includes(p) && rolePermissions.includes(p));
      return { tokenId: t.id, orgId: t.orgId, userId: t.userId, role: t.ownerRole, permissions };
    },
  };
}
