// Per-org OIDC single sign-on (DESIGN §4): authorization code + PKCE (S256) + state + nonce
// through openid-client, just-in-time membership for allowed email domains, and sessions
// issued by the same SessionService as password sign-in.
//
// The pending sign-in (state, nonce, PKCE verifier, org, returnTo) lives in Redis for ten
// minutes under the SHA-256 of a random handle; the handle travels only in a short-lived
// httpOnly SameSite=Lax cookie, and the record is deleted on first read (single use).
//
// An IdP only speaks for its own org: an account that also belongs to other orgs always
// proves its own TOTP after SSO (whatever trustIdpMfa says), and must have one, so a
// misconfigured or hostile IdP cannot reach that account's other orgs.
//
// Issue 14: an IdP identity is its (issuer, sub), bound to one account in sso_identities.
// An unbound identity whose email already has an account is never attached by email: the
// callback hands out a short-lived link token and the person proves control of that
// account (password + TOTP) at POST /api/v1/auth/sso/link. Just-in-time creation is only
// for addresses with no account. An email domain counts only once the org has proved it
// owns it (DNS TXT, through the injectable resolver) or the operator approved it.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { NodeEnv } from '../../core/config.js';
import { open, seal, type Aad, type Keyring } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { REFUSED_MESSAGE, type Outbound } from '../../core/outbound.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError, UnauthorizedError, ValidationError } from '../../core/errors.js';
import type { Role } from '../../core/permissions.js';
import type { RequestContext } from '../../core/context.js';
import { findUserByEmail, findUserById, getOrgAuthPolicy, listMembershipsOfUser } from '../auth/index.js';
import type { ClientInfo, SessionService } from '../auth/index.js';
import { newToken, safeEqual } from '../../core/tokens.js';
import {
  approveSsoDomainRow,
  bindIdentity,
  createUserForEmail,
  ensureSsoDomain,
  findIdentityUser,
  findOrgIdBySlug,
  getSsoDomain,
  getSsoSettings,
  insertMembershipIfAbsent,
  isSsoDomainVerified,
  listSsoDomains,
  memberRole,
  recordDomainCheck,
  upsertSsoSettings,
  type DomainCheck,
  type SsoDomainRecord,
  type SsoRole,
  type SsoSettingsRecord,
} from './repo.js';

export const SSO_CALLBACK_PATH = '/api/v1/auth/sso/callback';
/** How long a started sign-in may take at the IdP. */
export const SSO_PENDING_TTL_SECONDS = 600;
/** `amr` values (RFC 8176) that mean the IdP did more than one factor. */
export const MFA_AMR_VALUES: readonly string[] = ['mfa', 'otp', 'hwk', 'swk', 'sms'];
const DISCOVERY_CACHE_MS = 10 * 60_000;
const HTTP_TIMEOUT_SECONDS = 10;

export interface SsoConfigInput {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  allowedDomains: string[];
  defaultRole: SsoRole;
  requireSso: boolean;
  trustIdpMfa: boolean;
  mfaAcrValues?: string[];
  breakGlassUserId: string | null;
}

/** The stored settings as the API shows them: the secret only as whether one is set. */
export interface SsoConfigView extends Omit<SsoSettingsRecord, 'clientSecretEnc' | 'updatedAt'> {
  configured: boolean;
  clientSecretSet: boolean;
  updatedAt: string | null;
}

export interface SsoDeps {
  // GlobalDb: SSO sign-in finds the org by slug and users by identity before any tenant is set.
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  redis: Redis;
  redisPrefix: string;
  sessions: SessionService;
  keyring: Keyring;
  publicUrl: URL;
  nodeEnv: NodeEnv;
  /** Every request to the org's IdP (discovery, token, userinfo, JWKS) goes through the outbound guard. */
  outbound: Outbound;
  log: Logger;
  /** TXT look-ups for domain ownership: the system resolver (node:dns/promises) in production. */
  dns: TxtResolver;
  /** Password + TOTP proof of an existing account, before an IdP identity is linked to it. */
  accounts: AccountProof;
  clock?: () => Date;
}

export interface TxtResolver {
  resolveTxt(hostname: string): Promise<string[][]>;
}

export interface AccountProof {
  /** True, or what is left before the account locks (shown on the link form; issue 21). */
  proveAccount(userId: string, input: { password: string; code: string }, client: ClientInfo): Promise<true | { attemptsLeft: number; lockedForSeconds?: number }>;
}

/** An IdP identity waiting for the person to prove they control the local account with its address. */
interface PendingLink {
  orgId: string;
  issuer: string;
  subject: string;
  userId: string;
  returnTo: string;
}

export interface SsoDomainView {
  domain: string;
  status: 'verified' | 'pending' | 'unrequested';
  verifiedVia: 'dns' | 'operator' | null;
  verifiedAt: string | null;
  /** The TXT record to publish (null until verification is requested). */
  record: { name: string; type: 'TXT'; value: string } | null;
  lastCheckedAt: string | null;
  lastCheck: DomainCheck | null;
}

interface PendingSignIn {
  orgId: string;
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

export type SsoCallbackResult =
  | { kind: 'session'; token: string; returnTo: string; mfa: 'complete' | 'required' | 'enroll' }
  /** No account is bound to this IdP identity but one has its address: the person must prove control of it. */
  | { kind: 'link'; linkToken: string };

/** How long the person has to prove control of an existing account after SSO. */
export const SSO_LINK_TTL_SECONDS = 600;
export const DOMAIN_CHALLENGE_PREFIX = '_hirebox-challenge';
export const DOMAIN_TXT_PREFIX = 'hirebox-domain-verification=';

export function domainRecord(domain: string, challenge: string): { name: string; type: 'TXT'; value: string } {
  return { name: `${DOMAIN_CHALLENGE_PREFIX}.${domain}`, type: 'TXT', value: `${DOMAIN_TXT_PREFIX}${challenge}` };
}

export const newDomainChallenge = (): string => randomBytes(24).toString('base64url');

/**
 * The operator's approval of an SSO domain for an org (`hirebox sso domain approve`), for
 * domains whose DNS the org cannot publish to. Audited in the org's log.
 */
export async function approveSsoDomain(deps: { db: TenantDb & GlobalDb; audit: AuditLog }, orgId: string, rawDomain: string, now: Date = new Date()): Promise<{ domain: string; approved: boolean }> {
  const domain = rawDomain.trim().toLowerCase();
  if (!isDomainName(domain)) throw new ValidationError([{ path: 'domain', message: 'must be a domain name like example.com' }], 'domain must be a domain name like example.com.');
  return deps.db.withTenantTx(orgId, async (tx) => {
    const approved = await approveSsoDomainRow(tx, orgId, domain, newDomainChallenge(), now);
    if (approved) {
      await deps.audit.recordIn(tx, orgId, { action: 'sso.domain_approved', actor: { type: 'system' }, metadata: { domain, via: 'operator' } });
    }
    return { domain, approved };
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const LABEL = /^[a-z0-9-]{1,63}$/;

/** A lower-case DNS name with at least two labels and an alphabetic top-level label. */
export function isDomainName(value: string): boolean {
  if (value.length < 3 || value.length > 253) return false;
  const labels = value.split('.');
  const tld = labels.at(-1) ?? '';
  return labels.length >= 2 && labels.every((l) => LABEL.test(l) && !l.startsWith('-') && !l.endsWith('-')) && /^[a-z]{2,63}$/.test(tld);
}

/** https issuers only; plain http just for loopback outside production. */
export function issuerProblem(raw: string, nodeEnv: NodeEnv): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'issuer must be an absolute URL';
  }
  if (url.username || url.password) return 'issuer must not contain credentials';
  if (url.search || url.hash) return 'issuer must not have a query or fragment';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && nodeEnv !== 'production') return null;
  return nodeEnv === 'production' ? 'issuer must be an https:// URL' : 'issuer must be https:// (http:// only for loopback outside production)';
}

function isInsecureLoopback(issuer: string, nodeEnv: NodeEnv): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && nodeEnv !== 'production';
}

/** A same-origin path to land on after sign-in; anything else becomes "/". */
export function safeReturnTo(raw: string | undefined, publicUrl: URL): string {
  if (!raw || raw.length > 512 || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (!/^[\x21-\x7e]+$/.test(raw) || raw.includes('\\')) return '/';
  try {
    const resolved = new URL(raw, publicUrl);
    if (resolved.origin !== publicUrl.origin) return '/';
    const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
    // Dot segments can normalise "/a/..//evil.example" into a protocol-relative URL.
    return path.startsWith('//') ? '/' : path;
  } catch {
    return '/';
  }
}

/** Whether the ID token shows an MFA the org has chosen to trust. */
export function idpDidMfa(claims: { amr?: unknown; acr?: unknown }, settings: Pick<SsoSettingsRecord, 'trustIdpMfa' | 'mfaAcrValues'>): boolean {
  if (!settings.trustIdpMfa) return false;
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  if (amr.some((v) => typeof v === 'string' && MFA_AMR_VALUES.includes(v))) return true;
  return typeof claims.acr === 'string' && settings.mfaAcrValues.includes(claims.acr);
}

const secretAad = (orgId: string): Aad => ({ orgId, table: 'org_auth_settings', column: 'sso_client_secret', rowId: orgId });
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

type RefusalReason =
  | 'state_mismatch'
  | 'idp_error'
  | 'token_exchange_failed'
  | 'token_invalid'
  | 'email_missing'
  | 'email_unverified'
  | 'domain_not_allowed'
  | 'domain_not_verified'
  | 'subject_missing'
  | 'account_disabled'
  | 'account_in_other_org'
  | 'link_proof_failed';

export function createSsoService(deps: SsoDeps) {
  const { db, audit, redis, keyring } = deps;
  const callbackUrl = new URL(SSO_CALLBACK_PATH, deps.publicUrl);
  // openid-client's customFetch: it is inherited by every later call made with the Configuration.
  const idpFetch: oidc.CustomFetch = (url, options) => {
    const body = options.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof URLSearchParams) && !(body instanceof Uint8Array)) {
      return Promise.reject(new TypeError('unsupported request body for the identity provider'));
    }
    return deps.outbound.fetch(url, { method: options.method, headers: options.headers, body: body ?? undefined, signal: options.signal });
  };
  const discoveryCache = new Map<string, { fingerprint: string; config: oidc.Configuration; at: number }>();

  const pendingKey = (handle: string): string => `${deps.redisPrefix}:sso:pending:${sha256Hex(handle)}`;
  const linkKey = (token: string): string => `${deps.redisPrefix}:sso:link:${sha256Hex(token)}`;
  const clock = deps.clock ?? (() => new Date());

  function domainView(domain: string, row: SsoDomainRecord | undefined): SsoDomainView {
    return {
      domain,
      status: row?.verifiedAt ? 'verified' : row ? 'pending' : 'unrequested',
      verifiedVia: row?.verifiedVia ?? null,
      verifiedAt: row?.verifiedAt ? row.verifiedAt.toISOString() : null,
      record: row ? domainRecord(domain, row.challenge) : null,
      lastCheckedAt: row?.lastCheckedAt ? row.lastCheckedAt.toISOString() : null,
      lastCheck: row?.lastCheck ?? null,
    };
  }

  /** Looks up the challenge TXT record through the resolver; never throws. */
  async function lookUpChallenge(domain: string, challenge: string): Promise<DomainCheck> {
    let records: string[][];
    try {
      records = await deps.dns.resolveTxt(domainRecord(domain, challenge).name);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') return 'not_found';
      deps.log.warn({ code: errorCode(err) }, 'sso: domain verification look-up failed');
      return 'dns_error';
    }
    // A TXT record may arrive split into several character-strings: join them back.
    const values = records.map((chunks) => chunks.join('').trim());
    if (values.some((v) => safeEqual(v, `${DOMAIN_TXT_PREFIX}${challenge}`))) return 'verified';
    return values.length ? 'mismatch' : 'not_found';
  }

  /** Joins the org if needed, issues the session and audits the sign-in. */
  async function completeSignIn(
    /** mfaAudit: what the sign-in event records as the MFA ('auto': complete/required/enroll as it turned out). */
    p: { orgId: string; userId: string; userCreated: boolean; mfaComplete: boolean; mfaAudit: 'idp' | 'totp' | 'auto'; hasTotp: boolean },
    settings: SsoSettingsRecord,
    client: ClientInfo,
  ): Promise<{ token: string; role: Role; mfa: 'complete' | 'required' | 'enroll'; joined: boolean }> {
    const { orgId, userId } = p;
    const { role, joined } = await db.withTenantTx(orgId, async (tx) => {
      const joinedNow = await insertMembershipIfAbsent(tx, orgId, userId, settings.defaultRole);
      if (joinedNow) {
        await audit.recordIn(tx, orgId, {
          action: 'member.joined',
          actor: { type: 'user', id: userId },
          target: { type: 'user', id: userId },
          metadata: { role: settings.defaultRole, via: 'sso' },
          requestId: client.requestId,
        });
      }
      const current = (await memberRole(tx, userId)) as Role;
      return { role: current, joined: joinedNow };
    });
    const policy = await db.withTenant(orgId, (q) => getOrgAuthPolicy(q, orgId));
    const { token } = await deps.sessions.issue(
      { userId, orgId, role, mfaComplete: p.mfaComplete, reauthenticated: true, ip: client.ip, userAgent: client.userAgent },
      { idleSeconds: policy.sessionIdleSeconds, absoluteSeconds: policy.sessionAbsoluteSeconds },
    );
    const mfa = p.mfaComplete ? 'complete' : p.hasTotp ? 'required' : 'enroll';
    await audit.record(orgId, {
      action: 'auth.sso_login',
      actor: { type: 'user', id: userId },
      metadata: { ip: client.ip, mfa: p.mfaAudit === 'auto' ? mfa : p.mfaAudit, jit: joined, userCreated: p.userCreated },
      requestId: client.requestId,
    });
    return { token, role, mfa, joined };
  }

  function toView(s: SsoSettingsRecord): SsoConfigView {
    return {
      configured: Boolean(s.issuer && s.clientId && s.clientSecretEnc),
      issuer: s.issuer,
      clientId: s.clientId,
      clientSecretSet: s.clientSecretEnc !== null,
      allowedDomains: s.allowedDomains,
      defaultRole: s.defaultRole,
      requireSso: s.requireSso,
      trustIdpMfa: s.trustIdpMfa,
      mfaAcrValues: s.mfaAcrValues,
      breakGlassUserId: s.breakGlassUserId,
      updatedAt: s.updatedAt ? s.updatedAt.toISOString() : null,
    };
  }

  /** The org's settings and client secret, or 404 when SSO is not set up. */
  async function loadConfigured(orgId: string): Promise<{ settings: SsoSettingsRecord; issuer: string; clientId: string; clientSecret: string }> {
    return db.withTenant(orgId, async (q) => {
      const settings = await getSsoSettings(q, orgId);
      if (!settings.issuer || !settings.clientId || !settings.clientSecretEnc) {
        throw new NotFoundError({ detail: 'Single sign-on is not set up for this organisation.' });
      }
      const clientSecret = open(await keyring.orgKey(q, orgId), settings.clientSecretEnc, secretAad(orgId)).toString('utf8');
      return { settings, issuer: settings.issuer, clientId: settings.clientId, clientSecret };
    });
  }

  async function oidcConfig(orgId: string, c: { settings: SsoSettingsRecord; issuer: string; clientId: string; clientSecret: string }): Promise<oidc.Configuration> {
    const fingerprint = sha256Hex(`${c.issuer}\n${c.clientId}\n${c.clientSecret}\n${c.settings.updatedAt?.toISOString() ?? ''}`);
    const now = Date.now();
    const hit = discoveryCache.get(orgId);
    if (hit && hit.fingerprint === fingerprint && now - hit.at < DISCOVERY_CACHE_MS) return hit.config;
    try {
      const config = await oidc.discovery(new URL(c.issuer), c.clientId, c.clientSecret, oidc.ClientSecretBasic(c.clientSecret), {
        timeout: HTTP_TIMEOUT_SECONDS,
        [oidc.customFetch]: idpFetch,
        ...(isInsecureLoopback(c.issuer, deps.nodeEnv) ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      config.timeout = HTTP_TIMEOUT_SECONDS;
      if (discoveryCache.size > 1000) discoveryCache.clear();
      discoveryCache.set(orgId, { fingerprint, config, at: now });
      return config;
    } catch (err) {
      deps.log.warn({ orgId, code: errorCode(err) }, 'sso: identity provider discovery failed');
      throw new ServiceUnavailableError({ detail: 'The identity provider of this organisation could not be reached; try again shortly.' });
    }
  }

  async function refuse(orgId: string, reason: RefusalReason, client: ClientInfo, extra: { userId?: string; domain?: string } = {}): Promise<void> {
    await audit.record(orgId, {
      action: 'auth.sso_refused',
      actor: extra.userId ? { type: 'user', id: extra.userId } : { type: 'anonymous' },
      metadata: { reason, ip: client.ip, ...(extra.domain ? { domain: extra.domain } : {}) },
      requestId: client.requestId,
    });
  }

  return {
    async getConfig(ctx: RequestContext): Promise<SsoConfigView> {
      return toView(await db.withTenant(ctx.orgId, (q) => getSsoSettings(q, ctx.orgId)));
    },

    async putConfig(ctx: RequestContext, input: SsoConfigInput): Promise<SsoConfigView> {
      const issuer = input.issuer.trim();
      const problem = issuerProblem(issuer, deps.nodeEnv);
      if (problem) throw new ValidationError([{ path: 'body/issuer', message: problem }], problem);
      if ((await deps.outbound.hostProblem(issuer)) !== null) throw new ValidationError([{ path: 'body/issuer', message: REFUSED_MESSAGE }], `The issuer's ${REFUSED_MESSAGE}: it must be a public address.`);
      const allowedDomains = [...new Set(input.allowedDomains.map((d) => d.trim().toLowerCase()))];
      const badDomain = allowedDomains.find((d) => !isDomainName(d));
      if (badDomain !== undefined) throw new ValidationError([{ path: 'body/allowedDomains', message: 'each entry must be a domain name like example.com' }], 'allowedDomains must hold domain names like example.com.');
      const mfaAcrValues = [...new Set((input.mfaAcrValues ?? []).map((v) => v.trim()).filter(Boolean))];
      const result = await db.withTenantTx(ctx.orgId, async (tx) => {
        const before = await getSsoSettings(tx, ctx.orgId);
        if (input.clientSecret === undefined && !before.clientSecretEnc) {
          throw new ValidationError([{ path: 'body/clientSecret', message: 'is required the first time SSO is set up' }], 'clientSecret is required the first time SSO is set up.');
        }
        if (input.breakGlassUserId !== null && (await memberRole(tx, input.breakGlassUserId)) !== 'admin') {
          throw new ValidationError([{ path: 'body/breakGlassUserId', message: 'must be an admin of this organisation' }], 'The break-glass account must be an admin of this organisation.');
        }
        const clientSecretEnc = input.clientSecret === undefined ? null : seal(await keyring.orgKey(tx, ctx.orgId), input.clientSecret, secretAad(ctx.orgId));
        await upsertSsoSettings(tx, ctx.orgId, {
          issuer,
          clientId: input.clientId,
          clientSecretEnc,
          allowedDomains,
          defaultRole: input.defaultRole,
          requireSso: input.requireSso,
          trustIdpMfa: input.trustIdpMfa,
          mfaAcrValues,
          breakGlassUserId: input.breakGlassUserId,
        });
        // Each listed domain gets a challenge to publish; none counts before it is verified.
        const unverifiedDomains: string[] = [];
        for (const d of allowedDomains) if (!(await ensureSsoDomain(tx, ctx.orgId, d, newDomainChallenge())).verifiedAt) unverifiedDomains.push(d);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'sso.config_changed',
          actor: { type: 'user', id: ctx.userId },
          metadata: {
            issuer,
            clientId: input.clientId,
            clientSecretChanged: input.clientSecret !== undefined,
            allowedDomains,
            unverifiedDomains,
            defaultRole: input.defaultRole,
            requireSso: input.requireSso,
            trustIdpMfa: input.trustIdpMfa,
            mfaAcrValues,
            breakGlassUserId: input.breakGlassUserId,
            previousIssuer: before.issuer,
            previousRequireSso: before.requireSso,
          },
          requestId: ctx.requestId,
        });
        return getSsoSettings(tx, ctx.orgId);
      });
      discoveryCache.delete(ctx.orgId);
      return toView(result);
    },

    /** Begins sign-in: the IdP URL to redirect to and the handle for the binding cookie. */
    async start(orgSlug: string, returnToRaw: string | undefined): Promise<{ redirectUrl: string; handle: string }> {
      const orgId = await findOrgIdBySlug(db.pool, orgSlug);
      if (!orgId) throw new NotFoundError({ detail: 'Single sign-on is not set up for this organisation.' });
      const configured = await loadConfigured(orgId);
      const config = await oidcConfig(orgId, configured);
      const verifier = oidc.randomPKCECodeVerifier();
      const pending: PendingSignIn = {
        orgId,
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier,
        returnTo: safeReturnTo(returnToRaw, deps.publicUrl),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callbackUrl.href,
        response_type: 'code',
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      const handle = newToken();
      await redis.set(pendingKey(handle), JSON.stringify(pending), 'EX', SSO_PENDING_TTL_SECONDS);
      return { redirectUrl: url.href, handle };
    },

    /** Completes sign-in from the IdP's redirect; `search` is the callback's query string. */
    async callback(handle: string | undefined, search: string, client: ClientInfo): Promise<SsoCallbackResult> {
      const expired = (): BadRequestError => new BadRequestError({ detail: 'This sign-in attempt is invalid or has expired; start single sign-on again.' });
      if (!handle || handle.length > 100) throw expired();
      const raw = await redis.getdel(pendingKey(handle)); // single use, whatever happens next
      if (!raw) throw expired();
      const pending = JSON.parse(raw) as PendingSignIn;
      const currentUrl = new URL(callbackUrl.href);
      currentUrl.search = search;
      const state = currentUrl.searchParams.get('state');
      if (!state || !safeEqual(state, pending.state)) {
        await refuse(pending.orgId, 'state_mismatch', client);
        throw expired();
      }
      const configured = await loadConfigured(pending.orgId);
      const { settings } = configured;
      const config = await oidcConfig(pending.orgId, configured);

      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new Error('the token response has no ID token');
        claims = { ...idClaims };
        if (typeof claims.email !== 'string' || typeof claims.email_verified !== 'boolean') {
          // Many IdPs put scope claims only in userinfo when an access token is issued.
          const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
          claims = { ...info, ...idClaims };
        }
      } catch (err) {
        const reason: RefusalReason =
          err instanceof oidc.AuthorizationResponseError ? 'idp_error' : err instanceof oidc.ResponseBodyError ? 'token_exchange_failed' : 'token_invalid';
        // Only the error code: messages and causes may carry token contents.
        deps.log.warn({ orgId: pending.orgId, reason, code: errorCode(err), requestId: client.requestId }, 'sso: sign-in refused');
        await refuse(pending.orgId, reason, client);
        throw new UnauthorizedError({ detail: 'Single sign-on did not succeed; start again.' });
      }

      const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
      const at = email.lastIndexOf('@');
      if (!email || at < 1 || email.length > 254) {
        await refuse(pending.orgId, 'email_missing', client);
        throw new ForbiddenError({ detail: 'The identity provider did not share an email address.' });
      }
      if (claims.email_verified !== true) {
        await refuse(pending.orgId, 'email_unverified', client);
        throw new ForbiddenError({ detail: 'The identity provider has not verified this email address.' });
      }
      const domain = email.slice(at + 1);
      if (!settings.allowedDomains.includes(domain)) {
        await refuse(pending.orgId, 'domain_not_allowed', client, { domain });
        throw new ForbiddenError({ detail: 'This email domain may not sign in to this organisation.' });
      }
      // H2: a domain counts only once the org proved it owns it (or the operator approved it).
      if (!(await db.withTenant(pending.orgId, (q) => isSsoDomainVerified(q, domain)))) {
        await refuse(pending.orgId, 'domain_not_verified', client, { domain });
        throw new ForbiddenError({ detail: 'This email domain may not sign in to this organisation.' });
      }
      const subject = typeof claims.sub === 'string' ? claims.sub : '';
      if (!subject || subject.length > 255) {
        await refuse(pending.orgId, 'subject_missing', client);
        throw new ForbiddenError({ detail: 'The identity provider did not identify the account.' });
      }
      const issuer = configured.issuer;

      // H1: the IdP identity (issuer, sub) is the key, never the email alone.
      let userId = await findIdentityUser(db.pool, issuer, subject);
      let userCreated = false;
      if (!userId) {
        const created = await createUserForEmail(db.pool, email);
        if (!created) {
          // An account has this address but was never bound to this identity: it is not
          // attached until the person proves control of it (password + TOTP).
          const existing = await findUserByEmail(db.pool, email);
          if (!existing) throw new ServiceUnavailableError({ detail: 'Try single sign-on again.' });
          const linkToken = newToken();
          const link: PendingLink = { orgId: pending.orgId, issuer, subject, userId: existing.id, returnTo: pending.returnTo };
          await redis.set(linkKey(linkToken), JSON.stringify(link), 'EX', SSO_LINK_TTL_SECONDS);
          await audit.record(pending.orgId, {
            action: 'auth.sso_link_required',
            actor: { type: 'anonymous' },
            target: { type: 'user', id: existing.id },
            metadata: { ip: client.ip },
            requestId: client.requestId,
          });
          return { kind: 'link', linkToken };
        }
        await bindIdentity(db.pool, { issuer, subject, userId: created, via: 'jit', orgId: pending.orgId });
        userId = created;
        userCreated = true;
      }

      const user = await findUserById(db.pool, userId);
      if (!user || user.disabledAt) {
        await refuse(pending.orgId, 'account_disabled', client, { userId });
        throw new ForbiddenError({ detail: 'This account is disabled.' });
      }
      const elsewhere = (await db.withUserTx(user.id, (tx) => listMembershipsOfUser(tx, user.id))).some((m) => m.orgId !== pending.orgId);
      if (elsewhere && !user.totpSecretEnc) {
        await refuse(pending.orgId, 'account_in_other_org', client, { userId: user.id });
        throw new ForbiddenError({ detail: 'This account belongs to other organisations too: sign in with its password and set up multi-factor authentication first.' });
      }
      const mfaByIdp = !elsewhere && idpDidMfa(claims, settings);
      const done = await completeSignIn(
        { orgId: pending.orgId, userId: user.id, userCreated, mfaComplete: mfaByIdp, mfaAudit: mfaByIdp ? 'idp' : 'auto', hasTotp: Boolean(user.totpSecretEnc) },
        settings,
        client,
      );
      return { kind: 'session', token: done.token, returnTo: pending.returnTo, mfa: done.mfa };
    },

    /**
     * Links the IdP identity of a pending link to the existing account with its address,
     * once the person proves control of that account (its password and a TOTP code).
     */
    async link(input: { token: string; password: string; code: string }, client: ClientInfo): Promise<{ token: string; returnTo: string }> {
      const expired = (): BadRequestError => new BadRequestError({ detail: 'This account link is invalid or has expired; start single sign-on again.' });
      const raw = await redis.get(linkKey(input.token));
      if (!raw) throw expired();
      const pending = JSON.parse(raw) as PendingLink;
      const proof = await deps.accounts.proveAccount(pending.userId, { password: input.password, code: input.code }, client);
      if (proof !== true) {
        await refuse(pending.orgId, 'link_proof_failed', client, { userId: pending.userId });
        const left =
          proof.lockedForSeconds !== undefined
            ? ` Too many failed attempts; this account is locked for ${proof.lockedForSeconds} seconds.`
            : ` ${proof.attemptsLeft} attempt${proof.attemptsLeft === 1 ? '' : 's'} left before the account is locked for a while.`;
        throw new UnauthorizedError({
          detail: `The password or authenticator code of the existing account is not correct.${left} An account without a password or authenticator app must first sign in with a password (or reset it) and set one up.`,
          extra: { ...proof },
        });
      }
      if (!(await redis.getdel(linkKey(input.token)))) throw expired(); // single use
      const { settings } = await loadConfigured(pending.orgId);
      if (settings.issuer !== pending.issuer) throw expired();
      if (!(await bindIdentity(db.pool, { issuer: pending.issuer, subject: pending.subject, userId: pending.userId, via: 'proof', orgId: pending.orgId }))) {
        throw new ConflictError({ detail: 'This identity is already linked to another account.' });
      }
      await audit.record(pending.orgId, {
        action: 'auth.sso_linked',
        actor: { type: 'user', id: pending.userId },
        target: { type: 'user', id: pending.userId },
        metadata: { ip: client.ip, issuer: pending.issuer },
        requestId: client.requestId,
      });
      const done = await completeSignIn(
        { orgId: pending.orgId, userId: pending.userId, userCreated: false, mfaComplete: true, mfaAudit: 'totp', hasTotp: true },
        settings,
        client,
      );
      return { token: done.token, returnTo: pending.returnTo };
    },

    /** The org's SSO domains with their ownership status and the TXT record to publish. */
    async listDomains(ctx: RequestContext): Promise<SsoDomainView[]> {
      return db.withTenant(ctx.orgId, async (q) => {
        const settings = await getSsoSettings(q, ctx.orgId);
        const rows = new Map((await listSsoDomains(q)).map((r) => [r.domain, r]));
        return settings.allowedDomains.map((d) => domainView(d, rows.get(d)));
      });
    },

    /** Starts (or repeats) ownership verification of one of allowedDomains: the TXT record to publish. */
    async requestDomainVerification(ctx: RequestContext, rawDomain: string): Promise<SsoDomainView> {
      const domain = rawDomain.toLowerCase();
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const settings = await getSsoSettings(tx, ctx.orgId);
        if (!settings.allowedDomains.includes(domain)) throw new NotFoundError({ detail: 'That domain is not one of the allowed SSO domains of this organisation.' });
        const before = await getSsoDomain(tx, domain);
        const row = await ensureSsoDomain(tx, ctx.orgId, domain, newDomainChallenge());
        if (!before) {
          await audit.recordIn(tx, ctx.orgId, { action: 'sso.domain_verification_requested', actor: { type: 'user', id: ctx.userId }, metadata: { domain }, requestId: ctx.requestId });
        }
        return domainView(domain, row);
      });
    },

    /** Looks the TXT record up now; a match verifies the domain (audited). */
    async checkDomain(ctx: RequestContext, rawDomain: string): Promise<SsoDomainView> {
      const domain = rawDomain.toLowerCase();
      const row = await db.withTenant(ctx.orgId, async (q) => {
        const settings = await getSsoSettings(q, ctx.orgId);
        return settings.allowedDomains.includes(domain) ? getSsoDomain(q, domain) : null;
      });
      if (!row) throw new NotFoundError({ detail: 'Request verification of that domain first (it must be one of the allowed SSO domains).' });
      if (row.verifiedAt) return domainView(domain, row);
      const check = await lookUpChallenge(domain, row.challenge);
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const updated = await recordDomainCheck(tx, domain, check, clock());
        if (!updated) throw new NotFoundError({ detail: 'That domain is no longer listed.' });
        if (check === 'verified' && updated.verifiedVia === 'dns') {
          await audit.recordIn(tx, ctx.orgId, { action: 'sso.domain_verified', actor: { type: 'user', id: ctx.userId }, metadata: { domain, via: 'dns' }, requestId: ctx.requestId });
        }
        return domainView(domain, updated);
      });
    },
  };
}

function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; error?: unknown; name?: unknown };
    if (typeof e.error === 'string') return e.error.slice(0, 64);
    if (typeof e.code === 'string') return e.code.slice(0, 64);
    if (typeof e.name === 'string') return e.name.slice(0, 64);
  }
  return 'unknown';
}

export type SsoService = ReturnType<typeof createSsoService>;
