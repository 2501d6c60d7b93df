// HTTP for per-org OIDC SSO: the admin's configuration (settings:manage) and the two
// public sign-in legs (start -> IdP -> callback).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import type { AuditLog } from '../../core/audit.js';
import type { NodeEnv } from '../../core/config.js';
import { createKeyring, type Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import type { Outbound } from '../../core/outbound.js';
import { requireCtx, setSessionCookie, type CookiePolicy } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../plugins/schemas.js';
import type { ClientInfo, SessionService } from '../auth/service.js';
import { createSsoService, SSO_CALLBACK_PATH, SSO_PENDING_TTL_SECONDS, type SsoConfigInput } from './service.js';

const SsoRoleSchema = Type.Union([Type.Literal('recruiter'), Type.Literal('hiring_manager'), Type.Literal('auditor')]);

const SsoConfigView = Type.Object({
  configured: Type.Boolean(),
  issuer: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.Union([Type.String(), Type.Null()]),
  clientSecretSet: Type.Boolean(),
  allowedDomains: Type.Array(Type.String()),
  defaultRole: Type.String(),
  requireSso: Type.Boolean(),
  trustIdpMfa: Type.Boolean(),
  mfaAcrValues: Type.Array(Type.String()),
  breakGlassUserId: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});

const SsoConfigBody = Type.Object(
  {
    issuer: Type.String({ minLength: 8, maxLength: 500 }),
    clientId: Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' }),
    clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    allowedDomains: Type.Array(Type.String({ minLength: 3, maxLength: 253 }), { minItems: 1, maxItems: 50 }),
    defaultRole: SsoRoleSchema,
    requireSso: Type.Boolean(),
    trustIdpMfa: Type.Boolean(),
    mfaAcrValues: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 20 })),
    breakGlassUserId: Type.Union([Uuid, Type.Null()]),
  },
  { additionalProperties: false },
);

const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const QueryValue = Type.String({ maxLength: 2048 });
const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'] as const;

export interface SsoRouteDeps {
  db: Db;
  audit: AuditLog;
  redis: Redis;
  redisPrefix: string;
  sessions: SessionService;
  masterKey: Buffer;
  keyring?: Keyring;
  publicUrl: URL;
  nodeEnv: NodeEnv;
  outbound: Outbound;
  cookie: CookiePolicy;
  logger: Logger;
}

/** The browser binding of a pending sign-in: same security attributes as the session. */
export function ssoCookieName(policy: CookiePolicy): string {
  return policy.secure ? '__Host-hirebox-sso' : 'hirebox-sso';
}

export async function ssoRoutes(app: FastifyInstance, deps: SsoRouteDeps): Promise<void> {
  const sso = createSsoService({
    db: deps.db,
    audit: deps.audit,
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    sessions: deps.sessions,
    keyring: deps.keyring ?? createKeyring({ masterKey: deps.masterKey }),
    publicUrl: deps.publicUrl,
    nodeEnv: deps.nodeEnv,
    outbound: deps.outbound,
    log: deps.logger,
  });
  const bindingCookie = ssoCookieName(deps.cookie);
  const cookieOptions = { path: '/', httpOnly: true, secure: deps.cookie.secure, sameSite: 'lax' as const };
  const client = (request: FastifyRequest): ClientInfo => ({ ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id });

  app.get(
    '/api/v1/org/sso',
    {
      schema: { operationId: 'getSsoConfig', tags: ['sso'], response: { 200: SsoConfigView, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => sso.getConfig(requireCtx(request)),
  );

  app.put(
    '/api/v1/org/sso',
    {
      schema: { operationId: 'putSsoConfig', tags: ['sso'], body: SsoConfigBody, response: { 200: SsoConfigView, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request) => sso.putConfig(requireCtx(request), request.body as SsoConfigInput),
  );

  app.get(
    '/api/v1/auth/sso/:orgSlug/start',
    {
      schema: {
        operationId: 'ssoStart',
        tags: ['auth', 'sso'],
        params: Type.Object({ orgSlug: Slug }),
        querystring: Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 512 })) }),
        response: { 302: Type.Null(), ...ProblemResponses, 503: Problem },
      },
      config: { access: { public: 'single sign-on begins before any session exists' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply: FastifyReply) => {
      const { orgSlug } = request.params as { orgSlug: string };
      const { returnTo } = request.query as { returnTo?: string };
      const { redirectUrl, handle } = await sso.start(orgSlug, returnTo);
      reply.setCookie(bindingCookie, handle, { ...cookieOptions, maxAge: SSO_PENDING_TTL_SECONDS });
      reply.header('cache-control', 'no-store');
      return reply.redirect(redirectUrl, 302);
    },
  );

  app.get(
    SSO_CALLBACK_PATH,
    {
      schema: {
        operationId: 'ssoCallback',
        tags: ['auth', 'sso'],
        querystring: Type.Object(Object.fromEntries(CALLBACK_PARAMS.map((p) => [p, Type.Optional(QueryValue)]))),
        response: { 302: Type.Null(), ...ProblemResponses, 503: Problem },
      },
      config: { access: { public: 'the identity provider redirects the browser here; state, nonce and PKCE are the credentials' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply: FastifyReply) => {
      const query = request.query as Partial<Record<(typeof CALLBACK_PARAMS)[number], string>>;
      const search = new URLSearchParams();
      for (const name of CALLBACK_PARAMS) {
        const value = query[name];
        if (value !== undefined) search.set(name, value);
      }
      const handle = request.cookies[bindingCookie];
      reply.clearCookie(bindingCookie, cookieOptions);
      reply.header('cache-control', 'no-store');
      const result = await sso.callback(handle, search.toString(), client(request));
      setSessionCookie(reply, deps.cookie, result.token);
      return reply.redirect(result.returnTo, 302);
    },
  );
}
