// Authentication, CSRF and authorisation for every route, driven by the route's
// `config.access` rule. A route under /api without a rule stops the app from starting.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { tokenActor } from '../core/audit.js';
import { ForbiddenError, UnauthorizedError } from '../core/errors.js';
import { can, type AccessRule } from '../core/permissions.js';
import type { DenialRecorder } from '../modules/audit/index.js';
import type { ResolvedSession, SessionService } from '../modules/auth/index.js';
import type { TokenPrincipal, TokenService } from '../modules/tokens/index.js';
import { csrfTokenFor, safeEqual } from '../core/tokens.js';
import type { RequestContext } from '../core/context.js';

// Route files and tests read the context type from here too; it lives in core so services need no plugin.
export type { RequestContext };

/** `__Host-` cookies must be Secure; plain-http development on localhost uses a plain name. */
export const SESSION_COOKIE = '__Host-hirebox';
export const DEV_SESSION_COOKIE = 'hirebox';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);


declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
  interface FastifyInstance {
    /** Every route with its access rule, as registered (for the route x role tests). */
    routeAccess: { method: string; url: string; access: AccessRule | undefined }[];
  }
  interface FastifyRequest {
    /** Set for signed-in members with MFA complete and an active org. */
    ctx: RequestContext | null;
    /** The resolved session, also when MFA is still pending. */
    session: ResolvedSession | null;
    /** The API token's principal when the request carries `Authorization: Bearer`. */
    token: TokenPrincipal | null;
  }
}

export class MissingAccessRuleError extends Error {}

export interface CookiePolicy {
  name: string;
  secure: boolean;
}

/** Secure `__Host-` cookie everywhere except plain-http localhost in development/test. */
export function cookiePolicy(publicUrl: URL, nodeEnv: string): CookiePolicy {
  const plainLocal = publicUrl.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(publicUrl.hostname) && nodeEnv !== 'production';
  return plainLocal ? { name: DEV_SESSION_COOKIE, secure: false } : { name: SESSION_COOKIE, secure: true };
}

export function setSessionCookie(reply: FastifyReply, policy: CookiePolicy, token: string): void {
  reply.setCookie(policy.name, token, { path: '/', httpOnly: true, secure: policy.secure, sameSite: 'lax' });
}

export function clearSessionCookie(reply: FastifyReply, policy: CookiePolicy): void {
  reply.clearCookie(policy.name, { path: '/', httpOnly: true, secure: policy.secure, sameSite: 'lax' });
}

export function sessionToken(request: FastifyRequest, policy: CookiePolicy): string | undefined {
  return request.cookies[policy.name];
}

interface AccessPluginOptions {
  sessions: SessionService;
  /** Records denials in the audit log, repeated ones aggregated (server/modules/audit/denials.ts). */
  denials: DenialRecorder;
  publicOrigin: string;
  cookie: CookiePolicy;
  /** Bearer-token authentication (absent: only cookie sessions). */
  tokens?: BearerResolver;
}

/** Resolves a request's bearer token once (the rate limiter keys on it before the guard runs). */
export interface BearerResolver {
  /** null without an Authorization header; rejects (401) for a bad token. */
  resolve(request: FastifyRequest): Promise<TokenPrincipal | null>;
}

export function createBearerResolver(tokens: Pick<TokenService, 'authenticate'>): BearerResolver {
  const resolved = new WeakMap<FastifyRequest, Promise<TokenPrincipal | null>>();
  return {
    resolve(request) {
      let p = resolved.get(request);
      if (!p) {
        const header = request.headers.authorization;
        if (header === undefined) p = Promise.resolve(null);
        else {
          const m = /^Bearer +(\S+)$/i.exec(header);
          p = m?.[1] ? tokens.authenticate(m[1], request.ip) : Promise.reject(new UnauthorizedError({ detail: 'Malformed Authorization header (expected: Bearer <token>).' }));
        }
        // Keep a rejection from counting as unhandled when only the limiter asked.
        p.catch(() => undefined);
        resolved.set(request, p);
      }
      return p;
    },
  };
}

/**
 * Routes a token never reaches: every `authenticated` rule (own account, sessions, MFA,
 * org switching, token administration) and permission rules marked `sessionOnly`
 * (member administration, SSO and session policy).
 */
export function tokenAllowed(rule: AccessRule): boolean {
  if ('public' in rule || 'authenticated' in rule) return false;
  return rule.sessionOnly !== true;
}

/** The authenticated context, or a 401 (for use in handlers of non-public routes). */
export function requireCtx(request: FastifyRequest): RequestContext {
  if (!request.ctx) throw new UnauthorizedError();
  return request.ctx;
}

/** The session (MFA possibly pending), or a 401. */
export function requireSession(request: FastifyRequest): ResolvedSession {
  if (!request.session) throw new UnauthorizedError();
  return request.session;
}

export const accessPlugin = fp<AccessPluginOptions>(
  async (app: FastifyInstance, opts) => {
    app.decorateRequest('ctx', null);
    app.decorateRequest('session', null);
    app.decorateRequest('token', null);
    const routeAccess: FastifyInstance['routeAccess'] = [];
    app.decorate('routeAccess', routeAccess);

    app.addHook('onRoute', (route: RouteOptions) => {
      const rule = (route.config as { access?: AccessRule } | undefined)?.access;
      if (route.url.startsWith('/api') && !isValidRule(rule)) {
        throw new MissingAccessRuleError(`route ${String(route.method)} ${route.url} has no access rule (config.access)`);
      }
      for (const method of [route.method].flat()) routeAccess.push({ method, url: route.url, access: rule });
      if (!rule || 'public' in rule) return;
      const guard = async (request: FastifyRequest): Promise<void> => {
        const principal = opts.tokens ? await opts.tokens.resolve(request) : null;
        if (principal) {
          request.token = principal;
          if (!tokenAllowed(rule)) throw new ForbiddenError({ detail: 'API tokens cannot be used for this action; use a signed-in session.', extra: { sessionOnly: true } });
          request.ctx = { orgId: principal.orgId, userId: principal.userId, role: principal.role, requestId: request.id, sessionId: '', tokenId: principal.tokenId };
          if ('permission' in rule && !principal.permissions.includes(rule.permission)) {
            const denial = { orgId: principal.orgId, userId: principal.userId, role: principal.role, permission: rule.permission, method: request.method, route: route.url, requestId: request.id };
            await tokenActor.run({ tokenId: principal.tokenId, ownerUserId: principal.userId }, () => opts.denials.record(denial));
            throw new ForbiddenError({ permission: rule.permission, detail: 'The API token does not grant this permission (its scopes, limited to the owner\'s current role).' });
          }
          return;
        }
        const session = await authenticate(request, opts);
        const mfaPendingAllowed = 'authenticated' in rule && rule.mfaPending === true;
        if (!session.mfaComplete) {
          if (mfaPendingAllowed) return;
          throw new UnauthorizedError({ detail: 'Complete multi-factor sign-in first.', extra: { mfa: 'required' } });
        }
        if (!session.orgId || !session.role) {
          if (mfaPendingAllowed || 'authenticated' in rule) return;
          throw new ForbiddenError({ detail: 'Choose an organisation first.' });
        }
        request.ctx = { orgId: session.orgId, userId: session.userId, role: session.role, requestId: request.id, sessionId: session.sessionId };
        if ('permission' in rule && !can(session.role, rule.permission)) {
          await opts.denials.record({ orgId: session.orgId, userId: session.userId, role: session.role, permission: rule.permission, method: request.method, route: route.url, requestId: request.id });
          throw new ForbiddenError({ permission: rule.permission });
        }
      };
      // onRequest: identity and permission are settled before the body is even parsed.
      const existing = route.onRequest;
      route.onRequest = existing ? [guard, ...(Array.isArray(existing) ? existing : [existing])] : [guard];
      // The handler runs inside the token's audit attribution (callback style, so the
      // context holds for the handler fastify calls from done()).
      const attribute = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
        const p = request.token;
        if (p) tokenActor.run({ tokenId: p.tokenId, ownerUserId: p.userId }, done);
        else done();
      };
      const pre = route.preHandler;
      route.preHandler = pre ? [...(Array.isArray(pre) ? pre : [pre]), attribute] : [attribute];
    });
  },
  { name: 'hirebox-access', dependencies: ['@fastify/cookie'] },
);

function isValidRule(rule: AccessRule | undefined): boolean {
  if (!rule) return false;
  if ('public' in rule) return typeof rule.public === 'string' && rule.public.trim().length > 0;
  if ('authenticated' in rule) return rule.authenticated === true && rule.reason.trim().length > 0;
  return typeof rule.permission === 'string';
}

async function authenticate(request: FastifyRequest, opts: AccessPluginOptions): Promise<ResolvedSession> {
  const token = sessionToken(request, opts.cookie);
  if (!token) throw new UnauthorizedError();
  if (UNSAFE_METHODS.has(request.method)) checkCsrf(request, token, opts.publicOrigin);
  const session = await opts.sessions.resolve(token);
  if (!session) throw new UnauthorizedError({ detail: 'Your session has expired; sign in again.' });
  request.session = session;
  return session;
}

function checkCsrf(request: FastifyRequest, sessionToken: string, publicOrigin: string): void {
  const origin = request.headers.origin;
  if (origin !== publicOrigin) throw new ForbiddenError({ detail: 'Cross-origin request refused (Origin does not match).' });
  const header = request.headers['x-csrf-token'];
  if (typeof header !== 'string' || !safeEqual(header, csrfTokenFor(sessionToken))) {
    throw new ForbiddenError({ detail: 'Missing or invalid CSRF token (x-csrf-token).' });
  }
}
