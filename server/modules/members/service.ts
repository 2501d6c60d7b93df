// Members of an org: list, invite, change role, remove, reset MFA. Every change is
// audited; a role change or removal revokes the member's sessions in that org at once.
import { ConflictError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../../core/errors.js';
import type { Role } from '../../core/permissions.js';
import type { RequestContext } from '../../core/context.js';
import { newPasswordProblem } from '../auth/index.js';
import { clearTotp, consumeToken, findLiveToken, findUserByEmail, insertToken, insertUserWithPassword, updatePasswordHash } from '../auth/index.js';
import type { AuthDeps, ClientInfo } from '../auth/index.js';
import { hashToken, newToken } from '../../core/tokens.js';
import { countAdmins, countOrgsOfUser, deleteMember, findMemberRole, insertMember, listMembers, setMemberRole } from './repo.js';

export const INVITE_TTL_MS = 72 * 3_600_000;

/** The same dependencies as sign-in, minus the TOTP secret box, device cookies and logger. */
export type MembersDeps = Omit<AuthDeps, 'secrets' | 'log' | 'devices'>;

export function createMembersService(deps: MembersDeps) {
  const { db, audit } = deps;

  async function guardLastAdmin(ctx: RequestContext, userId: string, nextRole: Role | null): Promise<Role> {
    return db.withTenantTx(ctx.orgId, async (tx) => {
      const current = await findMemberRole(tx, userId);
      if (!current) throw new NotFoundError({ resource: 'Member' });
      if (current === 'admin' && nextRole !== 'admin' && (await countAdmins(tx)) <= 1) {
        throw new ConflictError({ detail: 'An organisation needs at least one admin.' });
      }
      return current;
    });
  }

  return {
    async list(ctx: RequestContext) {
      const rows = await db.withTenant(ctx.orgId, (q) => listMembers(q));
      return rows.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }));
    },

    async invite(ctx: RequestContext, input: { email: string; role: Role }): Promise<{ invitationId: string; expiresAt: string }> {
      const email = input.email.trim().toLowerCase();
      const token = newToken();
      const expiresAt = new Date(deps.clock().getTime() + INVITE_TTL_MS);
      const invitationId = await insertToken(db.pool, { purpose: 'invite', tokenHash: hashToken(token), expiresAt, email, inviteOrgId: ctx.orgId, inviteRole: input.role, createdBy: ctx.userId });
      const link = new URL(`/invite/${token}`, deps.publicUrl).toString();
      await deps.mailer.send({
        to: email,
        subject: 'You are invited to hirebox',
        text: `You have been invited to join an organisation on hirebox as ${input.role.replace('_', ' ')}.\n\nAccept within 72 hours:\n${link}\n\nYou will set a password and an authenticator app (MFA) when you first sign in.`,
      });
      await audit.record(ctx.orgId, { action: 'member.invited', actor: { type: 'user', id: ctx.userId }, target: { type: 'invitation', id: invitationId }, metadata: { role: input.role }, requestId: ctx.requestId });
      return { invitationId, expiresAt: expiresAt.toISOString() };
    },

    /** New users set a password; existing users prove theirs. */
    async acceptInvite(input: { token: string; password?: string; currentPassword?: string }, client: ClientInfo): Promise<{ orgId: string; role: Role }> {
      const blocked = await deps.limiter.blocked('invite', `ip:${client.ip}`, client.ip);
      if (blocked) throw new TooManyRequestsError(blocked.retryAfterSeconds);
      const invalid = 'This invitation is invalid, used or expired; ask for a new one.';
      const invite = await findLiveToken(db.pool, 'invite', hashToken(input.token), deps.clock());
      if (!invite?.inviteOrgId || !invite.inviteRole || !invite.email) {
        await deps.limiter.recordFailure('invite', `ip:${client.ip}`, client.ip);
        throw new UnauthorizedError({ detail: invalid });
      }
      const orgId = invite.inviteOrgId;
      const role = invite.inviteRole;
      let user = await findUserByEmail(db.pool, invite.email);
      if (user?.passwordHash) {
        if (!input.currentPassword || !(await deps.hasher.verify(user.passwordHash, input.currentPassword, 'known')).ok) {
          throw new UnauthorizedError({ detail: 'Enter your current hirebox password to join this organisation.' });
        }
      } else {
        const problem = input.password === undefined ? 'Choose a password.' : newPasswordProblem(input.password, { email: invite.email });
        if (problem) throw new ValidationError([{ path: 'body/password', message: problem }], problem);
      }
      // Input is valid: only now is the link used up.
      if (!(await consumeToken(db.pool, 'invite', hashToken(input.token), deps.clock()))) throw new UnauthorizedError({ detail: invalid });
      if (!user?.passwordHash) {
        // A live invitation link was shown: the known lane (a sign-in flood does not hold it up).
        const hash = await deps.hasher.hash(input.password as string, 'known');
        if (!user) await insertUserWithPassword(db.pool, invite.email, hash);
        else await updatePasswordHash(db.pool, user.id, hash, true);
        user = await findUserByEmail(db.pool, invite.email);
      }
      if (!user) throw new UnauthorizedError();
      const userId = user.id;
      await db.withTenantTx(orgId, async (tx) => {
        await insertMember(tx, orgId, userId, role);
        await audit.recordIn(tx, orgId, { action: 'member.joined', actor: { type: 'user', id: userId }, target: { type: 'user', id: userId }, metadata: { role, invitedBy: invite.createdBy }, requestId: client.requestId });
      });
      return { orgId, role };
    },

    async changeRole(ctx: RequestContext, userId: string, role: Role): Promise<void> {
      const previous = await guardLastAdmin(ctx, userId, role);
      if (previous === role) return;
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await setMemberRole(tx, userId, role);
        await audit.recordIn(tx, ctx.orgId, { action: 'member.role_changed', actor: { type: 'user', id: ctx.userId }, target: { type: 'user', id: userId }, metadata: { from: previous, to: role }, requestId: ctx.requestId });
      });
      // Sessions carry the role they were issued with: the member signs in again.
      await deps.sessions.revokeUser(userId, { orgId: ctx.orgId });
    },

    async remove(ctx: RequestContext, userId: string): Promise<void> {
      await guardLastAdmin(ctx, userId, null);
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await deleteMember(tx, userId);
        await audit.recordIn(tx, ctx.orgId, { action: 'member.removed', actor: { type: 'user', id: ctx.userId }, target: { type: 'user', id: userId }, requestId: ctx.requestId });
      });
      await deps.sessions.revokeUser(userId, { orgId: ctx.orgId });
    },

    /**
     * MFA is one factor for the whole account, which may span orgs: an org admin may reset
     * it only for a person who belongs to this org alone (finding H2: otherwise an admin who
     * pulled another org's admin into their org could strip that admin's second factor
     * everywhere). For anyone else it is the operator's `hirebox user mfa-reset`.
     */
    async resetMfa(ctx: RequestContext, userId: string): Promise<void> {
      const role = await db.withTenantTx(ctx.orgId, (tx) => findMemberRole(tx, userId));
      if (!role) throw new NotFoundError({ resource: 'Member' });
      const cleared = await db.withUserTx(userId, async (tx) => {
        if ((await countOrgsOfUser(tx, userId)) > 1) return false;
        await clearTotp(tx, userId);
        return true;
      });
      if (!cleared) {
        throw new ConflictError({
          title: 'Member Belongs To Other Organisations',
          detail: 'This person also belongs to other organisations, so their multi-factor authentication can only be reset by the hirebox operator (hirebox user mfa-reset). Nothing was changed.',
        });
      }
      // Scoped like every admin action on a person: this org's sessions, and those with no org chosen
      // yet (they could switch into this org), never a session in another org.
      await deps.sessions.revokeUser(userId, { orgId: ctx.orgId, orgless: true });
      await audit.record(ctx.orgId, { action: 'member.mfa_reset', actor: { type: 'user', id: ctx.userId }, target: { type: 'user', id: userId }, requestId: ctx.requestId });
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
