// Session lookup for the auth plugin. Sign-in, MFA and invitations build on this.
import type { Db } from '../../core/db.js';
import type { Role } from '../../core/permissions.js';
import { findLiveSession, insertSession, touchSession } from './repo.js';
import { hashToken, newToken } from './tokens.js';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
// last_seen_at is written at most once a minute per session, not on every request.
const TOUCH_EVERY_MS = 60_000;

export interface ResolvedSession {
  sessionId: string;
  userId: string;
  orgId: string | null;
  role: Role | null;
  mfaComplete: boolean;
}

export function createSessionService(deps: { db: Db; clock: () => Date }) {
  return {
    async resolve(token: string): Promise<ResolvedSession | null> {
      const now = deps.clock();
      const session = await findLiveSession(deps.db.pool, hashToken(token), now);
      if (!session) return null;
      if (now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS) return null;
      if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(deps.db.pool, session.id, now);
      return {
        sessionId: session.id,
        userId: session.userId,
        orgId: session.orgId,
        role: session.role,
        mfaComplete: session.mfaVerifiedAt !== null,
      };
    },

    /** Issues a new session token; the caller sets it as the cookie. */
    async issue(input: { userId: string; orgId: string | null; role: Role | null; mfaComplete: boolean; ip?: string; userAgent?: string }): Promise<{ token: string; sessionId: string }> {
      const now = deps.clock();
      const token = newToken();
      const sessionId = await insertSession(deps.db.pool, {
        tokenHash: hashToken(token),
        userId: input.userId,
        orgId: input.orgId,
        role: input.role,
        expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
        mfaVerifiedAt: input.mfaComplete ? now : null,
        ip: input.ip ?? null,
        userAgent: input.userAgent?.slice(0, 500) ?? null,
      });
      return { token, sessionId };
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
