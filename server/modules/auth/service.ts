// Sign-in, MFA, sessions, password changes and resets (DESIGN §4, ASVS level 2).
//
// Order of checks on every credential endpoint: rate limits and lockouts first (Redis,
// cheap), then argon2 or TOTP work. Unknown accounts cost the same argon2 work as known
// ones and get the same answer.
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { BadRequestError, ConflictError, ForbiddenError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../../core/errors.js';
import type { Mailer } from '../../core/mailer.js';
import type { Role } from '../../core/permissions.js';
import type { RequestContext } from '../../core/context.js';
import { normaliseEmail } from '../../core/email.js';
import type { AuthLimiter } from './limits.js';
import type { DeviceCookies } from './devices.js';
import { newPasswordProblem, type PasswordHasher } from './passwords.js';
import {
  claimTotpStep,
  consumeToken,
  findLiveToken,
  countUnusedRecoveryCodes,
  enableTotp,
  findLiveSession,
  findUserByEmail,
  findUserById,
  getOrgAuthPolicy,
  insertSession,
  insertToken,
  listMembershipsOfUser,
  listUserSessions,
  replaceRecoveryCodes,
  revokeOpenTokens,
  revokeSession,
  revokeUserSessions,
  setTotpPending,
  touchSession,
  insertEmailChange,
  consumeEmailConfirm,
  consumeEmailRevert,
  cancelEmailChange,
  switchEmail,
  updatePasswordHash,
  upsertOrgSessionPolicy,
  useRecoveryCode,
  type MembershipView,
  findUserEmail,
} from './repo.js';
import { enrolmentPayload, hashRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret, type UserSecretBox } from './totp.js';
import { hashToken, newToken } from '../../core/tokens.js';
import type { AlertSink } from '../alerts/index.js';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
/** A half-authenticated session (password ok, MFA pending) lives at most this long. */
export const MFA_PENDING_MS = 10 * 60_000;
export const RESET_TTL_MS = 30 * 60_000;
export const STEP_UP_MS = 10 * 60_000;
/** The confirm link mailed to a new sign-in address. */
export const EMAIL_CONFIRM_TTL_MS = 24 * 3_600_000;
/** The undo link mailed to the old address (from the request). */
export const EMAIL_REVERT_TTL_MS = 7 * 24 * 3_600_000;
// last_seen_at is written at most once a minute per session, not on every request.
const TOUCH_EVERY_MS = 60_000;

export interface ResolvedSession {
  sessionId: string;
  userId: string;
  orgId: string | null;
  role: Role | null;
  mfaComplete: boolean;
  reauthenticatedAt: Date | null;
  expiresAt: Date;
}

export interface IssueInput {
  userId: string;
  orgId: string | null;
  role: Role | null;
  mfaComplete: boolean;
  reauthenticated?: boolean;
  ip?: string;
  userAgent?: string;
}

/** Session cache entries live this long; revocation also clears them at once. */
const CACHE_MS = 5_000;

// GlobalDb: sessions and users are global rows (a session precedes any org), read and written outside tenancy.
export function createSessionService(deps: { db: TenantDb & GlobalDb; clock: () => Date; redis?: Redis; redisPrefix?: string }) {
  // A short in-process cache keeps the session check off the database on the hot path;
  // revocations evict locally and are pushed to other processes through Redis.
  const cache = new Map<string, { session: ResolvedSession; idleMs: number; lastSeen: number; cachedAt: number }>();
  const channel = `${deps.redisPrefix ?? 'hirebox'}:session-revoked`;
  const evict = (sessionIds: string[]): void => {
    if (!sessionIds.length) return;
    const set = new Set(sessionIds);
    for (const [key, entry] of cache) if (set.has(entry.session.sessionId)) cache.delete(key);
  };
  const publish = async (sessionIds: string[]): Promise<void> => {
    evict(sessionIds);
    if (deps.redis && sessionIds.length) await deps.redis.publish(channel, JSON.stringify(sessionIds)).catch(() => undefined);
  };

  return {
    channel,
    evict,
    async resolve(token: string): Promise<ResolvedSession | null> {
      const now = deps.clock();
      const tokenHash = hashToken(token);
      const key = tokenHash.toString('base64');
      const hit = cache.get(key);
      if (hit && now.getTime() - hit.cachedAt < CACHE_MS && now.getTime() >= hit.cachedAt) {
        if (now.getTime() >= hit.session.expiresAt.getTime() || now.getTime() - hit.lastSeen > hit.idleMs) {
          cache.delete(key);
          return null;
        }
        return hit.session;
      }
      const s = await findLiveSession(deps.db.pool, tokenHash, now);
      if (!s) {
        cache.delete(key);
        return null;
      }
      const idleMs = s.mfaVerifiedAt ? s.idleTimeoutSeconds * 1000 : MFA_PENDING_MS;
      if (now.getTime() - s.lastSeenAt.getTime() > idleMs) return null;
      if (!s.mfaVerifiedAt && now.getTime() - s.createdAt.getTime() > MFA_PENDING_MS) return null;
      let lastSeen = s.lastSeenAt.getTime();
      if (now.getTime() - lastSeen > TOUCH_EVERY_MS) {
        await touchSession(deps.db.pool, s.id, now);
        lastSeen = now.getTime();
      }
      const session: ResolvedSession = {
        sessionId: s.id,
        userId: s.userId,
        orgId: s.orgId,
        role: s.role,
        mfaComplete: s.mfaVerifiedAt !== null,
        reauthenticatedAt: s.reauthenticatedAt,
        expiresAt: s.expiresAt,
      };
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { session, idleMs, lastSeen, cachedAt: now.getTime() });
      return session;
    },

    /** Issues a fresh token (never adopts one the client brought). */
    async issue(input: IssueInput, policy?: { idleSeconds: number; absoluteSeconds: number }): Promise<{ token: string; sessionId: string }> {
      const now = deps.clock();
      const token = newToken();
      const idleSeconds = Math.min(policy?.idleSeconds ?? 1800, 1800);
      const absoluteMs = Math.min((policy?.absoluteSeconds ?? 43_200) * 1000, SESSION_ABSOLUTE_MS);
      const sessionId = await insertSession(deps.db.pool, {
        tokenHash: hashToken(token),
        userId: input.userId,
        orgId: input.orgId,
        role: input.role,
        expiresAt: new Date(now.getTime() + (input.mfaComplete ? absoluteMs : MFA_PENDING_MS)),
        idleTimeoutSeconds: idleSeconds,
        mfaVerifiedAt: input.mfaComplete ? now : null,
        reauthenticatedAt: input.reauthenticated ? now : null,
        ip: input.ip ?? null,
        userAgent: input.userAgent?.slice(0, 500) ?? null,
        now,
      });
      return { token, sessionId };
    },

    async revoke(sessionId: string): Promise<void> {
      await revokeSession(deps.db.pool, sessionId, deps.clock());
      await publish([sessionId]);
    },

    async revokeUser(userId: string, scope: { orgId?: string; orgless?: boolean; exceptId?: string } = {}): Promise<number> {
      const ids = await revokeUserSessions(deps.db.pool, userId, deps.clock(), scope);
      await publish(ids);
      return ids.length;
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;

export interface AuthDeps {
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  mailer: Mailer;
  sessions: SessionService;
  limiter: AuthLimiter;
  hasher: PasswordHasher;
  secrets: UserSecretBox;
  /** Device cookies: known browsers sign in past the account lock and on their own hash budget. */
  devices: DeviceCookies;
  publicUrl: URL;
  clock: () => Date;
  log: Logger;
  /** The org alert channel (DESIGN §9): sign-in bursts are raised there too. */
  alerts?: AlertSink;
}

export interface ClientInfo {
  ip: string;
  userAgent?: string;
  requestId: string;
  /** The device cookie the browser sent, if any (sign-in only). */
  device?: string;
}

/**
 * Where an authentication event belongs (DESIGN §4, issue 14): only the org it concerns,
 * which is the org the session or sign-in is for. Before any org is chosen (an unknown
 * email, a failed password of a person in several orgs) no org is concerned and the
 * event goes to the platform chain, which only the operator reads: one org's admin must
 * never see another org's member's sign-in attempts, IPs or lockouts.
 */
export type AuthEventScope = { orgId: string } | { platform: true };
const PLATFORM: AuthEventScope = { platform: true };

/** The org a sign-in is for: the one named, else the person's only org; else none yet. */
export function signInScope(memberships: readonly { orgId: string; slug: string }[], orgSlug?: string): AuthEventScope {
  if (orgSlug) {
    const named = memberships.find((m) => m.slug === orgSlug);
    return named ? { orgId: named.orgId } : PLATFORM;
  }
  const only = memberships.length === 1 ? memberships[0] : undefined;
  return only ? { orgId: only.orgId } : PLATFORM;
}

function sessionScope(session: { orgId: string | null }): AuthEventScope {
  return session.orgId ? { orgId: session.orgId } : PLATFORM;
}

/**
 * The lock a signed-in member's own password checks count towards (re-authentication, password
 * and address changes): not the account's, which anyone who types the address can set, so a
 * flood of wrong passwords from elsewhere does not stop a member mid-session (issue 19). A
 * stolen session guessing the password still meets the same progressive lock.
 */
const memberLock = (userId: string): string => `member:${userId}`;

/** A short digest of a typed sign-in address: attempts on one address can be told apart without storing what was typed. */
function accountDigest(email: string): string {
  return createHash('sha256').update(`hirebox-account:${email}`).digest('hex').slice(0, 16);
}

export interface LoginResult {
  token: string;
  mfa: 'required' | 'enroll';
  orgId: string | null;
  /** A new device cookie for this browser (the password was right). */
  device: string;
}


export function createAuthService(deps: AuthDeps) {
  const { db, audit, limiter, hasher, sessions, clock } = deps;

  async function membershipsOf(userId: string): Promise<MembershipView[]> {
    return db.withUserTx(userId, (tx) => listMembershipsOfUser(tx, userId));
  }

  async function recordInOrgs(orgIds: string[], event: Parameters<AuditLog['record']>[1]): Promise<void> {
    for (const orgId of orgIds) await audit.record(orgId, event);
  }

  async function recordScoped(scope: AuthEventScope, event: Parameters<AuditLog['record']>[1]): Promise<void> {
    if ('orgId' in scope) await audit.record(scope.orgId, event);
    else await audit.recordPlatform(event);
  }

  // Work that must not lengthen (or shape the timing of) an answer: started after the
  // current request, errors logged (code only: messages can carry addresses), tracked so
  // that closing the app waits for it.
  const background = new Set<Promise<void>>();
  function offRequestPath(what: string, work: () => Promise<void>): void {
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err: unknown) => deps.log.error({ what, code: (err as { code?: unknown }).code ?? (err as Error).name }, 'background work failed'))
      .finally(() => background.delete(run));
    background.add(run);
  }

  async function sendResetLink(email: string, client: ClientInfo): Promise<void> {
    const user = await findUserByEmail(db.pool, email);
    if (!user || user.disabledAt) return;
    await revokeOpenTokens(db.pool, 'reset', user.id, clock());
    const token = newToken();
    await insertToken(db.pool, { purpose: 'reset', tokenHash: hashToken(token), expiresAt: new Date(clock().getTime() + RESET_TTL_MS), userId: user.id });
    const link = new URL(`/reset/${token}`, deps.publicUrl).toString();
    await deps.mailer.send({
      to: user.email,
      subject: 'Reset your hirebox password',
      text: `Someone asked to reset the password of your hirebox account.\n\nTo choose a new password, open this link within 30 minutes:\n${link}\n\nIf it was not you, ignore this message; your password stays as it is.`,
    });
    // Asked before any org is chosen: the person's only org, else the platform chain (it carries the IP).
    await recordScoped(signInScope(await membershipsOf(user.id)), { action: 'auth.password_reset_requested', actor: { type: 'anonymous' }, target: { type: 'user', id: user.id }, metadata: { ip: client.ip }, requestId: client.requestId });
  }

  async function throwIfBlocked(kind: 'login' | 'mfa' | 'reset' | 'invite', account: string, ip: string): Promise<void> {
    const blocked = await limiter.blocked(kind, account, ip);
    if (blocked) {
      throw new TooManyRequestsError(blocked.retryAfterSeconds, {
        detail:
          blocked.scope === 'account'
            ? `Too many failed attempts; this account is locked for ${blocked.retryAfterSeconds} seconds.`
            : `Too many failed attempts from your network; try again in ${blocked.retryAfterSeconds} seconds.`,
      });
    }
  }

  /** Counts a failure and raises an alert (audit + log) when it starts a lock or block. */
  async function noteFailure(kind: 'login' | 'mfa' | 'reset' | 'invite', account: string, client: ClientInfo, scope: AuthEventScope, userId: string | null): Promise<{ attemptsLeft: number; lockedForSeconds?: number }> {
    const outcome = await limiter.recordFailure(kind, account, client.ip);
    const attemptsLeft = Math.max(0, limiter.policy.accountFailuresBeforeLock - outcome.failures);
    if (outcome.lockedForMs !== null || outcome.ipBlocked) {
      deps.log.warn({ kind, lockedForMs: outcome.lockedForMs, ipBlocked: outcome.ipBlocked, failures: outcome.failures, requestId: client.requestId }, 'sign-in burst: lock engaged');
      await recordScoped(scope, {
        action: 'security.alert',
        actor: { type: 'anonymous' },
        target: userId ? { type: 'user', id: userId } : null,
        metadata: { kind: `${kind}_burst`, failures: outcome.failures, lockedForMs: outcome.lockedForMs, ipBlocked: outcome.ipBlocked, ip: client.ip },
        requestId: client.requestId,
      });
      // Only the org concerned is alerted; a burst before any org is chosen is the operator's (platform chain and log).
      if ('orgId' in scope) {
        await deps.alerts?.raise(scope.orgId, 'signin_burst', `Repeated failed ${kind} attempts locked an account or blocked a network address.`, {
          failures: outcome.failures,
          ipBlocked: outcome.ipBlocked,
          userId,
        });
      }
    }
    return outcome.lockedForMs === null ? { attemptsLeft } : { attemptsLeft, lockedForSeconds: Math.ceil(outcome.lockedForMs / 1000) };
  }

  /** What the member may still try before the account locks (shown on the form; issue 21). */
  function attemptsText(left: { attemptsLeft: number; lockedForSeconds?: number }): string {
    if (left.lockedForSeconds !== undefined) return ` Too many failed attempts; this account is locked for ${left.lockedForSeconds} seconds.`;
    return ` ${left.attemptsLeft} attempt${left.attemptsLeft === 1 ? '' : 's'} left before the account is locked for a while.`;
  }

  function pickOrg(memberships: MembershipView[], orgSlug?: string): MembershipView | null {
    if (orgSlug) return memberships.find((m) => m.slug === orgSlug) ?? null;
    return memberships[0] ?? null;
  }

  async function issueFor(userId: string, org: MembershipView | null, mfaComplete: boolean, client: ClientInfo, reauthenticated: boolean) {
    const policy = org ? await db.withTenant(org.orgId, (q) => getOrgAuthPolicy(q, org.orgId)) : null;
    return sessions.issue(
      { userId, orgId: org?.orgId ?? null, role: org?.role ?? null, mfaComplete, reauthenticated, ip: client.ip, userAgent: client.userAgent },
      policy ? { idleSeconds: policy.sessionIdleSeconds, absoluteSeconds: policy.sessionAbsoluteSeconds } : undefined,
    );
  }

  async function verifySecondFactor(userId: string, input: { code?: string; recoveryCode?: string }): Promise<'totp' | 'recovery' | null> {
    const user = await findUserById(db.pool, userId);
    if (!user?.totpSecretEnc) return null;
    if (input.code) {
      const secret = deps.secrets.open(userId, 'totp_secret', user.totpSecretEnc);
      const step = await matchTotp(secret, input.code, clock());
      if (step === null) return null;
      return (await claimTotpStep(db.pool, userId, step)) ? 'totp' : null; // a replayed code fails here
    }
    if (input.recoveryCode) return (await useRecoveryCode(db.pool, userId, hashRecoveryCode(input.recoveryCode))) ? 'recovery' : null;
    return null;
  }

  return {
    async login(input: { email: string; password: string; orgSlug?: string }, client: ClientInfo): Promise<LoginResult> {
      const email = normaliseEmail(input.email);
      // A browser that signed in to this account before (device cookie) is held by its own
      // lock, not the account's, and hashes on the known lane: wrong passwords from elsewhere
      // can neither lock it out nor spend its budget. Its own failures lock the device.
      const deviceId = deps.devices.recognise(client.device, email);
      const lane = deviceId ? 'known' : 'anonymous';
      const lockKey = deviceId ? `device:${deviceId}` : email;
      await throwIfBlocked('login', lockKey, client.ip);
      // Over the hash budget the attempt is refused before the account lookup: under a
      // distributed flood most attempts end here, and each lookup was a query members wait behind.
      hasher.admit(lane);
      const user = await findUserByEmail(db.pool, email);
      let ok = false;
      if (user?.passwordHash && !user.disabledAt) {
        const verdict = await hasher.verify(user.passwordHash, input.password, lane);
        ok = verdict.ok;
        if (verdict.rehash) await updatePasswordHash(db.pool, user.id, await hasher.hash(input.password, 'known'), false);
      } else {
        await hasher.verifyDummy(input.password, lane);
      }
      // The same membership lookup for unknown accounts keeps both paths equally long.
      const memberships = await membershipsOf(user?.id ?? randomUUID());
      if (!user || !ok) {
        const scope = signInScope(memberships, input.orgSlug);
        await noteFailure('login', lockKey, client, scope, user?.id ?? null);
        // Not awaited: the chained audit append (a row lock per chain) made a known account's
        // failure answer ~10 ms later than an unknown one's (20% in the timing test), which
        // tells an attacker which emails have accounts. Both paths now append (an unknown
        // email to the platform chain) and neither waits; the lockout counter above never
        // depended on it.
        void recordScoped(scope, {
          action: 'auth.login_failed',
          actor: { type: 'anonymous' },
          target: user ? { type: 'user', id: user.id } : null,
          metadata: user ? { ip: client.ip, reason: 'bad_password', knownDevice: deviceId !== null } : { ip: client.ip, reason: 'unknown_account', account: accountDigest(email) },
          requestId: client.requestId,
        }).catch((err: unknown) => deps.log.warn({ err: { message: (err as Error).message }, requestId: client.requestId }, 'login failure audit event not written'));
        throw new UnauthorizedError({ detail: 'The email or password is not correct.' });
      }
      if (deviceId) await limiter.recordSuccess('login', lockKey);
      await limiter.recordSuccess('login', email);
      const org = pickOrg(memberships, input.orgSlug);
      if (input.orgSlug && !org) throw new UnauthorizedError({ detail: 'The email or password is not correct.' });
      if (org) {
        const policy = await db.withTenant(org.orgId, (q) => getOrgAuthPolicy(q, org.orgId));
        if (policy.ssoRequired && policy.breakGlassUserId !== user.id) {
          await audit.record(org.orgId, { action: 'auth.login_refused', actor: { type: 'user', id: user.id }, metadata: { reason: 'sso_required', ip: client.ip }, requestId: client.requestId });
          throw new ForbiddenError({ detail: 'This organisation requires single sign-on.', extra: { sso: `/api/v1/auth/sso/${org.slug}/start` } });
        }
      }
      const { token } = await issueFor(user.id, org, false, client, true);
      if (org) {
        await audit.record(org.orgId, { action: 'auth.password_ok', actor: { type: 'user', id: user.id }, metadata: { ip: client.ip, mfa: user.totpSecretEnc ? 'required' : 'enroll', knownDevice: deviceId !== null }, requestId: client.requestId });
      }
      return { token, mfa: user.totpSecretEnc ? 'required' : 'enroll', orgId: org?.orgId ?? null, device: deps.devices.issue(email) };
    },

    async mfaEnroll(session: ResolvedSession): Promise<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }> {
      const user = await findUserById(db.pool, session.userId);
      if (!user) throw new UnauthorizedError();
      // Enrolling replaces a factor: allowed before MFA is set up, or with a fresh proof.
      if (user.totpSecretEnc && !(session.mfaComplete && isFresh(session.reauthenticatedAt, clock()))) {
        throw new ConflictError({ detail: 'Multi-factor authentication is already set up; verify a code or ask an admin to reset it.' });
      }
      // One secret per half-session (issue 21): a reload of the enrolment page, or a mistyped
      // code, must not replace the QR code the member may already have scanned. A new sign-in
      // (a new session) gets a new secret.
      if (user.totpPendingSecretEnc && user.totpPendingSessionId === session.sessionId) {
        return enrolmentPayload(deps.secrets.open(user.id, 'totp_pending_secret', user.totpPendingSecretEnc), user.email);
      }
      const secret = newTotpSecret();
      await setTotpPending(db.pool, user.id, deps.secrets.seal(user.id, 'totp_pending_secret', secret), session.sessionId);
      return enrolmentPayload(secret, user.email);
    },

    async mfaVerify(session: ResolvedSession, input: { code?: string; recoveryCode?: string }, client: ClientInfo): Promise<{ token: string; recoveryCodes?: string[] }> {
      const account = `user:${session.userId}`;
      await throwIfBlocked('mfa', account, client.ip);
      const user = await findUserById(db.pool, session.userId);
      if (!user) throw new UnauthorizedError();
      const scope = sessionScope(session);
      const now = clock();
      let method: 'totp' | 'recovery' | 'enrolled' | null = null;
      let recoveryCodes: string[] | undefined;
      if (user.totpPendingSecretEnc && input.code) {
        const secret = deps.secrets.open(user.id, 'totp_pending_secret', user.totpPendingSecretEnc);
        const step = await matchTotp(secret, input.code, now);
        if (step !== null && (user.totpLastStep === null || step > user.totpLastStep)) {
          await enableTotp(db.pool, user.id, deps.secrets.seal(user.id, 'totp_secret', secret), step);
          recoveryCodes = newRecoveryCodes();
          await replaceRecoveryCodes(db.pool, user.id, recoveryCodes.map(hashRecoveryCode));
          method = 'enrolled';
        }
      }
      if (!method && user.totpSecretEnc) method = await verifySecondFactor(user.id, input);
      if (!method) {
        const left = await noteFailure('mfa', account, client, scope, user.id);
        await recordScoped(scope, { action: 'auth.mfa_failed', actor: { type: 'user', id: user.id }, metadata: { ip: client.ip }, requestId: client.requestId });
        const what = input.recoveryCode ? 'That recovery code is not valid or was already used.' : 'That code is not valid.';
        throw new UnauthorizedError({ detail: what + attemptsText(left), extra: { mfa: user.totpSecretEnc ? 'required' : 'enroll', ...left } });
      }
      await limiter.recordSuccess('mfa', account);
      // Rotate: the half-authenticated token dies, a new fully authenticated one is issued.
      await sessions.revoke(session.sessionId);
      const memberships = await membershipsOf(user.id);
      const org = memberships.find((m) => m.orgId === session.orgId) ?? null;
      const { token } = await issueFor(user.id, org, true, client, true);
      await recordScoped(scope, {
        action: method === 'enrolled' ? 'auth.mfa_enrolled' : 'auth.login_succeeded',
        actor: { type: 'user', id: user.id },
        metadata: { ip: client.ip, method },
        requestId: client.requestId,
      });
      if (method === 'recovery') {
        const left = await countUnusedRecoveryCodes(db.pool, user.id);
        await recordScoped(scope, { action: 'auth.recovery_code_used', actor: { type: 'user', id: user.id }, metadata: { remaining: left }, requestId: client.requestId });
      }
      return recoveryCodes ? { token, recoveryCodes } : { token };
    },

    /** New recovery codes; needs a fresh TOTP code. */
    async regenerateRecoveryCodes(session: ResolvedSession, code: string, client: ClientInfo): Promise<string[]> {
      const account = `user:${session.userId}`;
      await throwIfBlocked('mfa', account, client.ip);
      if ((await verifySecondFactor(session.userId, { code })) !== 'totp') {
        const left = await noteFailure('mfa', account, client, sessionScope(session), session.userId);
        throw new UnauthorizedError({ detail: 'That code is not valid.' + attemptsText(left), extra: left });
      }
      const codes = newRecoveryCodes();
      await replaceRecoveryCodes(db.pool, session.userId, codes.map(hashRecoveryCode));
      if (session.orgId) await audit.record(session.orgId, { action: 'auth.recovery_codes_regenerated', actor: { type: 'user', id: session.userId }, requestId: client.requestId });
      return codes;
    },

    async logout(session: ResolvedSession, client: ClientInfo, everywhere = false): Promise<void> {
      if (everywhere) await sessions.revokeUser(session.userId);
      else await sessions.revoke(session.sessionId);
      if (session.orgId) {
        await audit.record(session.orgId, { action: everywhere ? 'auth.signed_out_everywhere' : 'auth.signed_out', actor: { type: 'user', id: session.userId }, requestId: client.requestId });
      }
    },

    async listSessions(session: ResolvedSession) {
      const rows = await listUserSessions(db.pool, session.userId, clock());
      return rows.map((s) => ({
        id: s.id,
        orgId: s.orgId,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.id === session.sessionId,
      }));
    },

    async revokeOwnSession(session: ResolvedSession, sessionId: string, client: ClientInfo): Promise<boolean> {
      const mine = (await listUserSessions(db.pool, session.userId, clock())).some((s) => s.id === sessionId);
      if (!mine) return false;
      await sessions.revoke(sessionId);
      if (session.orgId) await audit.record(session.orgId, { action: 'auth.session_revoked', actor: { type: 'user', id: session.userId }, target: { type: 'session', id: sessionId }, requestId: client.requestId });
      return true;
    },

    /** Re-enter the password (or a fresh TOTP code) before sensitive changes. */
    async reauthenticate(session: ResolvedSession, input: { password?: string; code?: string }, client: ClientInfo): Promise<string> {
      const user = await findUserById(db.pool, session.userId);
      if (!user) throw new UnauthorizedError();
      const account = memberLock(user.id);
      await throwIfBlocked('login', account, client.ip);
      let ok = false;
      if (input.password !== undefined && user.passwordHash) ok = (await hasher.verify(user.passwordHash, input.password, 'known')).ok;
      else if (input.code) ok = (await verifySecondFactor(user.id, { code: input.code })) === 'totp';
      if (!ok) {
        await noteFailure('login', account, client, sessionScope(session), user.id);
        throw new UnauthorizedError({ detail: 'That password or code is not correct.' });
      }
      await sessions.revoke(session.sessionId);
      const memberships = await membershipsOf(user.id);
      const { token } = await issueFor(user.id, memberships.find((m) => m.orgId === session.orgId) ?? null, session.mfaComplete, client, true);
      return token;
    },

    async changePassword(session: ResolvedSession, input: { currentPassword: string; newPassword: string }, client: ClientInfo): Promise<string> {
      const user = await findUserById(db.pool, session.userId);
      if (!user?.passwordHash) throw new UnauthorizedError();
      await throwIfBlocked('login', memberLock(user.id), client.ip);
      if (!(await hasher.verify(user.passwordHash, input.currentPassword, 'known')).ok) {
        await noteFailure('login', memberLock(user.id), client, sessionScope(session), user.id);
        throw new UnauthorizedError({ detail: 'The current password is not correct.' });
      }
      const problem = newPasswordProblem(input.newPassword, { email: user.email });
      if (problem) throw new ValidationError([{ path: 'body/newPassword', message: problem }], problem);
      await updatePasswordHash(db.pool, user.id, await hasher.hash(input.newPassword, 'known'), true);
      await sessions.revokeUser(user.id);
      const memberships = await membershipsOf(user.id);
      const { token } = await issueFor(user.id, memberships.find((m) => m.orgId === session.orgId) ?? null, session.mfaComplete, client, true);
      await recordInOrgs(memberships.map((m) => m.orgId), { action: 'auth.password_changed', actor: { type: 'user', id: user.id }, metadata: { sessionsRevoked: true }, requestId: client.requestId });
      return token;
    },

    /**
     * Needs the current password. Nothing changes yet: the new address gets a single-use
     * confirm link (or, when it already has an account, its owner is told someone tried to
     * use it), and the old address gets a revert link. The answer and the work done are the
     * same either way, so the request cannot tell which addresses have accounts.
     */
    async requestEmailChange(session: ResolvedSession, input: { email: string; password: string }, client: ClientInfo): Promise<void> {
      const user = await findUserById(db.pool, session.userId);
      if (!user?.passwordHash) throw new UnauthorizedError();
      await throwIfBlocked('login', memberLock(user.id), client.ip);
      if (!(await hasher.verify(user.passwordHash, input.password, 'known')).ok) {
        await noteFailure('login', memberLock(user.id), client, sessionScope(session), user.id);
        throw new UnauthorizedError({ detail: 'The password is not correct.' });
      }
      // Each request mails two addresses: a member may not turn it into a mail cannon.
      await throwIfBlocked('reset', `email-change:${user.id}`, client.ip);
      await limiter.recordFailure('reset', `email-change:${user.id}`, client.ip);
      const email = normaliseEmail(input.email);
      const owner = await findUserByEmail(db.pool, email);
      const now = clock();
      const confirmToken = newToken();
      const revertToken = newToken();
      // Written in both cases: a change to a taken address is never confirmable (its link
      // is not sent, and confirmation checks the address again), but costs the same.
      await db.tx((tx) =>
        insertEmailChange(tx, {
          userId: user.id,
          oldEmail: user.email,
          newEmail: email,
          confirmHash: hashToken(confirmToken),
          confirmExpiresAt: new Date(now.getTime() + EMAIL_CONFIRM_TTL_MS),
          revertHash: hashToken(revertToken),
          revertExpiresAt: new Date(now.getTime() + EMAIL_REVERT_TTL_MS),
          now,
        }),
      );
      const link = (kind: 'confirm' | 'revert', token: string): string => new URL(`/email/${kind}/${token}`, deps.publicUrl).toString();
      await deps.mailer.send(
        owner
          ? {
              to: email,
              subject: 'Someone tried to use your address on hirebox',
              text: 'Someone asked to make this address the sign-in address of another hirebox account. It already belongs to your account, so nothing changed and nothing needs doing.\n\nIf you keep getting these messages, tell your hirebox admin.',
            }
          : {
              to: email,
              subject: 'Confirm your new hirebox sign-in address',
              text: `Someone asked to make this address the sign-in address of a hirebox account.\n\nTo confirm, open this link within 24 hours:\n${link('confirm', confirmToken)}\n\nIf it was not you, ignore this message; nothing changes.`,
            },
      );
      await deps.mailer.send({
        to: user.email,
        subject: 'A change of your hirebox sign-in address was requested',
        text: `Someone signed in to your hirebox account asked to change its sign-in address. It changes only when the link sent to the new address is opened.\n\nIf this was not you, open this link (valid 7 days) to cancel or undo the change and sign out every session, then reset your password:\n${link('revert', revertToken)}`,
      });
      await recordScoped(sessionScope(session), { action: 'auth.email_change_requested', actor: { type: 'user', id: user.id }, metadata: { ip: client.ip }, requestId: client.requestId });
    },

    /** The link mailed to the new address: switches the address (if still free) and ends every session. */
    async confirmEmailChange(token: string, client: ClientInfo): Promise<void> {
      await throwIfBlocked('reset', `token:${client.ip}`, client.ip);
      const invalid = 'This confirmation link is invalid, already used or expired; ask for the change again.';
      const outcome = await db.tx(async (tx) => {
        const change = await consumeEmailConfirm(tx, hashToken(token), clock());
        if (!change) return null;
        if (!(await switchEmail(tx, change.userId, change.oldEmail, change.newEmail))) {
          await cancelEmailChange(tx, change.id, clock());
          return { change, switched: false };
        }
        return { change, switched: true };
      }).catch((err: unknown) => {
        // Another account took the address at the same moment (unique index).
        if ((err as { code?: unknown }).code === '23505') return 'taken' as const;
        throw err;
      });
      if (outcome === null) {
        await limiter.recordFailure('reset', `token:${client.ip}`, client.ip);
        throw new BadRequestError({ detail: invalid });
      }
      if (outcome === 'taken' || !outcome.switched) throw new ConflictError({ detail: 'That address can no longer be used for this account; nothing was changed.' });
      const { change } = outcome;
      const revoked = await sessions.revokeUser(change.userId);
      await deps.mailer.send({
        to: change.oldEmail,
        subject: 'Your hirebox sign-in address changed',
        text: 'The sign-in address of your hirebox account was just changed and every session was signed out. If this was not you, open the undo link in our earlier message (valid 7 days from the request) and reset your password, or contact your hirebox admin at once.',
      });
      const memberships = await membershipsOf(change.userId);
      await recordScoped(signInScope(memberships), { action: 'auth.email_changed', actor: { type: 'user', id: change.userId }, metadata: { sessionsRevoked: revoked, ip: client.ip }, requestId: client.requestId });
    },

    /** The link mailed to the old address: cancels a pending change or restores the old address; ends every session. */
    async revertEmailChange(token: string, client: ClientInfo): Promise<void> {
      await throwIfBlocked('reset', `token:${client.ip}`, client.ip);
      const outcome = await db.tx(async (tx) => {
        const change = await consumeEmailRevert(tx, hashToken(token), clock());
        if (!change) return null;
        if (change.confirmedAt && !(await switchEmail(tx, change.userId, change.newEmail, change.oldEmail))) {
          throw new ConflictError({ detail: 'The old address can no longer be restored (the account has another address now, or another account has it); nothing was changed. Contact your hirebox admin.' });
        }
        return change;
      });
      if (!outcome) {
        await limiter.recordFailure('reset', `token:${client.ip}`, client.ip);
        throw new BadRequestError({ detail: 'This link is invalid, already used or expired.' });
      }
      const revoked = await sessions.revokeUser(outcome.userId);
      const memberships = await membershipsOf(outcome.userId);
      await recordScoped(signInScope(memberships), {
        action: 'auth.email_change_reverted',
        actor: { type: 'user', id: outcome.userId },
        metadata: { wasConfirmed: outcome.confirmedAt !== null, sessionsRevoked: revoked, ip: client.ip },
        requestId: client.requestId,
      });
    },

    /**
     * Proof that the person controls an account: its password and a current TOTP code
     * (with the same lockouts as sign-in). Used before an SSO identity is linked to it.
     */
    async proveAccount(userId: string, input: { password: string; code: string }, client: ClientInfo): Promise<true | { attemptsLeft: number; lockedForSeconds?: number }> {
      const user = await findUserById(db.pool, userId);
      if (!user || user.disabledAt) return { attemptsLeft: 0 };
      await throwIfBlocked('login', user.email, client.ip);
      const memberships = await membershipsOf(user.id);
      const passwordOk = user.passwordHash ? (await hasher.verify(user.passwordHash, input.password, 'known')).ok : false;
      const codeOk = passwordOk && (await verifySecondFactor(user.id, { code: input.code })) === 'totp';
      if (!codeOk) {
        return noteFailure('login', user.email, client, signInScope(memberships), user.id);
      }
      await limiter.recordSuccess('login', user.email);
      return true;
    },

    /**
     * Always answers the same way and in the same time, whether or not the email is known
     * (issue 14 L1): only the rate limit runs on the request path, identical for every
     * address; the lookup, token and mail run after the answer (sendResetLink).
     */
    async requestPasswordReset(emailInput: string, client: ClientInfo): Promise<void> {
      const email = normaliseEmail(emailInput);
      await throwIfBlocked('reset', email, client.ip);
      await limiter.recordFailure('reset', email, client.ip); // every request counts towards the limit
      offRequestPath('password reset', () => sendResetLink(email, client));
    },

    /** Resolves when the work started off the request path (reset mails) has finished; the app awaits it on close. */
    async settle(): Promise<void> {
      while (background.size > 0) await Promise.allSettled([...background]);
    },

    async completePasswordReset(input: { token: string; newPassword: string }, client: ClientInfo): Promise<void> {
      await throwIfBlocked('reset', `token:${client.ip}`, client.ip);
      await useLink('reset', input.token, input.newPassword, client, 'auth.password_reset', 'This reset link is invalid or has expired; ask for a new one.');
    },

    /** The one-time setup link printed by `hirebox org create`. */
    async completeSetup(input: { token: string; password: string }, client: ClientInfo): Promise<void> {
      await throwIfBlocked('reset', `token:${client.ip}`, client.ip);
      await useLink('setup', input.token, input.password, client, 'auth.password_set', 'This setup link is invalid or has expired.');
    },

    async switchOrg(session: ResolvedSession, orgId: string, client: ClientInfo): Promise<{ token: string; orgId: string; role: Role }> {
      const org = (await membershipsOf(session.userId)).find((m) => m.orgId === orgId);
      if (!org) throw new ForbiddenError({ detail: 'You are not a member of that organisation.' });
      const policy = await db.withTenant(org.orgId, (q) => getOrgAuthPolicy(q, org.orgId));
      if (policy.ssoRequired && policy.breakGlassUserId !== session.userId) {
        throw new ForbiddenError({ detail: 'That organisation requires single sign-on.', extra: { sso: `/api/v1/auth/sso/${org.slug}/start` } });
      }
      await sessions.revoke(session.sessionId);
      const { token } = await issueFor(session.userId, org, session.mfaComplete, client, false);
      await audit.record(org.orgId, { action: 'auth.org_switched', actor: { type: 'user', id: session.userId }, requestId: client.requestId });
      return { token, orgId: org.orgId, role: org.role };
    },

    async getSessionPolicy(ctx: RequestContext): Promise<{ sessionIdleSeconds: number; sessionAbsoluteSeconds: number }> {
      const p = await db.withTenant(ctx.orgId, (q) => getOrgAuthPolicy(q, ctx.orgId));
      return { sessionIdleSeconds: p.sessionIdleSeconds, sessionAbsoluteSeconds: p.sessionAbsoluteSeconds };
    },

    /** Orgs may shorten session lifetimes, never lengthen them past 30 min idle / 12 h. */
    async setSessionPolicy(ctx: RequestContext, policy: { sessionIdleSeconds: number; sessionAbsoluteSeconds: number }): Promise<void> {
      if (policy.sessionIdleSeconds > policy.sessionAbsoluteSeconds) {
        throw new ValidationError([{ path: 'body/sessionIdleSeconds', message: 'must not exceed sessionAbsoluteSeconds' }]);
      }
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await upsertOrgSessionPolicy(tx, ctx.orgId, policy.sessionIdleSeconds, policy.sessionAbsoluteSeconds);
        await audit.recordIn(tx, ctx.orgId, { action: 'settings.session_policy_changed', actor: { type: 'user', id: ctx.userId }, metadata: { ...policy }, requestId: ctx.requestId });
      });
    },

    membershipsOf,
  };

  /** Checks the new password first, so a refused password does not use up the link. */
  async function useLink(purpose: 'reset' | 'setup', token: string, password: string, client: ClientInfo, action: string, invalid: string): Promise<void> {
    const live = await findLiveToken(db.pool, purpose, hashToken(token), clock());
    const user = live?.userId ? await findUserById(db.pool, live.userId) : null;
    if (!live || !user) {
      await limiter.recordFailure('reset', `token:${client.ip}`, client.ip);
      throw new UnauthorizedError({ detail: invalid });
    }
    const problem = newPasswordProblem(password, { email: user.email });
    if (problem) throw new ValidationError([{ path: 'body/password', message: problem }], problem);
    if (!(await consumeToken(db.pool, purpose, hashToken(token), clock()))) throw new UnauthorizedError({ detail: invalid });
    await setPassword(user.id, password, client, action);
  }

  async function setPassword(userId: string, password: string, client: ClientInfo, action: string): Promise<void> {
    await updatePasswordHash(db.pool, userId, await hasher.hash(password, 'known'), true);
    const revoked = await sessions.revokeUser(userId);
    // A reset or setup link is used before any org is chosen: the person's only org, else the platform chain (it carries the IP).
    await recordScoped(signInScope(await membershipsOf(userId)), { action, actor: { type: 'user', id: userId }, metadata: { sessionsRevoked: revoked, ip: client.ip }, requestId: client.requestId });
  }
}

function isFresh(at: Date | null, now: Date): boolean {
  return at !== null && now.getTime() - at.getTime() < STEP_UP_MS;
}

export type AuthService = ReturnType<typeof createAuthService>;

/** A user's sign-in email and display name (users are global rows: no tenant needed). */
export function userEmailOf(db: GlobalDb, userId: string): Promise<{ email: string; displayName: string | null } | null> {
  return findUserEmail(db.pool, userId);
}
