// Authentication, CSRF and authorisation for every route, driven by the route's
// `config.access` rule. A route under /api without a rule stops the app from starting.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { AuditLog } from '../core/audit.js';
import { ForbiddenError, UnauthorizedError } from '../core/errors.js';
import { can, type AccessRule, type Role } from '../core/permissions.js';
import type { SessionService } from '../modules/auth/service.js';
import { csrfTokenFor, safeEqual } from '../modules/auth/tokens.js';

export const SESSION_COOKIE = '__Host-hirebox';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RequestContext {
  orgId: string;
  userId: string;
  role: Role;
  requestId: string;
  sessionId: string;
}

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
  }
}

export class MissingAccessRuleError extends Error {}

interface AccessPluginOptions {
  sessions: SessionService;
  audit: AuditLog;
  publicOrigin: string;
}

/** The authenticated context, or a 401 (for use in handlers of non-public routes). */
export function requireCtx(request: FastifyRequest): RequestContext {
  if (!request.ctx) throw new UnauthorizedError();
  return request.ctx;
}

export const accessPlugin = fp<AccessPluginOptions>(
  async (app: FastifyInstance, opts) => {
    app.decorateRequest('ctx', null);
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
        await authenticate(request, opts);
        const ctx = request.ctx;
        if (!ctx) throw new UnauthorizedError();
        if ('permission' in rule && !can(ctx.role, rule.permission)) {
          await opts.audit.record(ctx.orgId, {
            action: 'access.denied',
            actor: { type: 'user', id: ctx.userId },
            metadata: { permission: rule.permission, role: ctx.role, method: request.method, route: route.url },
            requestId: request.id,
          });
          throw new ForbiddenError({ permission: rule.permission });
        }
      };
      const existing = route.preHandler;
      route.preHandler = existing ? [guard, ...(Array.isArray(existing) ? existing : [existing])] : [guard];
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

async function authenticate(request: FastifyRequest, opts: AccessPluginOptions): Promise<void> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token) throw new UnauthorizedError();
  if (UNSAFE_METHODS.has(request.method)) checkCsrf(request, token, opts.publicOrigin);
  const session = await opts.sessions.resolve(token);
  if (!session) throw new UnauthorizedError({ detail: 'Your session has expired; sign in again.' });
  if (!session.mfaComplete) throw new UnauthorizedError({ detail: 'Complete multi-factor sign-in first.', extra: { mfa: 'required' } });
  if (!session.orgId || !session.role) throw new ForbiddenError({ detail: 'Choose an organisation first.' });
  request.ctx = { orgId: session.orgId, userId: session.userId, role: session.role, requestId: request.id, sessionId: session.sessionId };
}

function checkCsrf(request: FastifyRequest, sessionToken: string, publicOrigin: string): void {
  const origin = request.headers.origin;
  if (origin !== publicOrigin) throw new ForbiddenError({ detail: 'Cross-origin request refused (Origin does not match).' });
  const header = request.headers['x-csrf-token'];
  if (typeof header !== 'string' || !safeEqual(header, csrfTokenFor(sessionToken))) {
    throw new ForbiddenError({ detail: 'Missing or invalid CSRF token (x-csrf-token).' });
  }
}
