// What only the operator may do to an account that spans orgs (DESIGN §4, issue 14 H2):
// resetting the MFA of a person who belongs to several orgs. No org admin can do it
// (POST /api/v1/members/:id/mfa-reset answers 409 for them), because the factor guards
// every org the person belongs to. Reached through `hirebox user mfa-reset`.
import type { AuditLog } from '../../core/audit.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { clearTotp, findUserByEmail, findUserById, listMembershipsOfUser } from '../auth/index.js';
import type { SessionService } from '../auth/index.js';
import { normaliseEmail } from '../../core/email.js';

export interface OperatorAccountDeps {
  // GlobalDb: operator commands find users by email or id, which are global rows.
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  sessions: Pick<SessionService, 'revokeUser'>;
}

export interface OperatorMfaResetResult {
  userId: string;
  orgIds: string[];
  sessionsRevoked: number;
}

/** The operator is not a user: audit events name it as the system actor `operator`. */
const OPERATOR = { type: 'system', id: 'operator' } as const;

export function createOperatorAccountService(deps: OperatorAccountDeps) {
  const { db, audit } = deps;
  return {
    /** Clears TOTP and recovery codes and ends every session (all orgs); the person enrols again at next sign-in. */
    async resetMfa(who: { email: string } | { userId: string }): Promise<OperatorMfaResetResult> {
      const user = 'email' in who ? await findUserByEmail(db.pool, normaliseEmail(who.email)) : await findUserById(db.pool, who.userId);
      if (!user) throw new NotFoundError({ resource: 'User' });
      const userId = user.id;
      await db.tx((tx) => clearTotp(tx, userId));
      const sessionsRevoked = await deps.sessions.revokeUser(userId);
      const orgIds = (await db.withUserTx(userId, (tx) => listMembershipsOfUser(tx, userId))).map((m) => m.orgId);
      await audit.recordPlatform({ action: 'operator.mfa_reset', actor: OPERATOR, target: { type: 'user', id: userId }, metadata: { orgs: orgIds.length, sessionsRevoked } });
      // Each org the person belongs to learns that its member's second factor was reset, and by whom.
      for (const orgId of orgIds) {
        await audit.record(orgId, { action: 'member.mfa_reset', actor: OPERATOR, target: { type: 'user', id: userId }, metadata: { by: 'operator' } });
      }
      return { userId, orgIds, sessionsRevoked };
    },
  };
}

export type OperatorAccountService = ReturnType<typeof createOperatorAccountService>;
