// HTTP for per-org OIDC SSO: the admin's configuration (settings:manage) and the two
// public sign-in legs (start -> IdP -> callback).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import type { Db } from '../../core/db.js';
import { requireCtx, setSessionCookie, type CookiePolicy } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import type { ClientInfo } from '../auth/index.js';
import { Resolver } from 'node:dns/promises';
import { AppError, ForbiddenError } from '../../core/errors.js';
import { csrfTokenFor } from '../../core/tokens.js';
import { createSsoService, SSO_CALLBACK_PATH, SSO_PENDING_TTL_SECONDS, type SsoDeps, type TxtResolver } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

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

/** The service's dependencies (the platform's logger, the resolver optional) and what the routes add. */
export interface SsoRouteDeps extends Omit<SsoDeps, 'db' | 'log' | 'dns'> {
  db: Db;
  cookie: CookiePolicy;
  logger: Logger;
  /** The system resolver unless given (tests point a Resolver at a DNS server on loopback). */
  dns?: TxtResolver;
  publicOrigin: string;
}

/** Where the console asks for the existing account's password + TOTP (the token travels in the fragment, never to a server log). */
export const SSO_LINK_PAGE = '/sso/link';

/**
 * Codes of the SSO callback's refusals, shown by the console's sign-in page
 * (/app/sign-in?sso=<code>). Only fixed codes travel in the URL, never free text.
 */
const SSO_ERROR_CODES: [RegExp, string][] = [
  [/did not share an email/, 'email_missing'],
  [/not verified this email/, 'email_unverified'],
  [/email domain may not sign in/, 'domain_refused'],
  [/account is disabled/, 'account_disabled'],
  [/belongs to other organisations/, 'other_orgs'],
  [/could not be reached|Try single sign-on again/, 'unavailable'],
  [/not set up for this organisation/, 'not_configured'],
];

export function ssoErrorCode(err: unknown): string | null {
  if (!(err instanceof AppError)) return null;
  for (const [pattern, code] of SSO_ERROR_CODES) if (pattern.test(err.detail ?? '')) return code;
  return err.status === 401 || err.status === 400 || err.status === 403 ? 'failed' : null;
}

const DomainParam = Type.Object({ domain: Type.String({ minLength: 3, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$' }) });
const SsoDomainView = Type.Object({
  domain: Type.String(),
  status: Type.Union([Type.Literal('verified'), Type.Literal('pending'), Type.Literal('unrequested')]),
  verifiedVia: Type.Union([Type.Literal('dns'), Type.Literal('operator'), Type.Null()]),
  verifiedAt: Type.Union([Type.String(), Type.Null()]),
  record: Type.Union([Type.Object({ name: Type.String(), type: Type.Literal('TXT'), value: Type.String() }), Type.Null()]),
  lastCheckedAt: Type.Union([Type.String(), Type.Null()]),
  lastCheck: Type.Union([Type.String(), Type.Null()]),
});

/** The browser binding of a pending sign-in: same security attributes as the session. */
export function ssoCookieName(policy: CookiePolicy): string {
  return policy.secure ? '__Host-hirebox-sso' : 'hirebox-sso';
}

export async function ssoRoutes(fastify: FastifyInstance, deps: SsoRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const sso = createSsoService({
    db: deps.db,
    audit: deps.audit,
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    sessions: deps.sessions,
    keyring: deps.keyring,
    publicUrl: deps.publicUrl,
    nodeEnv: deps.nodeEnv,
    outbound: deps.outbound,
    log: deps.logger,
    accounts: deps.accounts,
    dns: deps.dns ?? new Resolver({ timeout: 5_000, tries: 2 }),
    clock: deps.clock,
  });
  const bindingCookie = ssoCookieName(deps.cookie);
  const cookieOptions = { path: '/', httpOnly: true, secure: deps.cookie.secure, sameSite: 'lax' as const };
  const client = (request: FastifyRequest): ClientInfo => ({ ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id });

  app.get(
    '/api/v1/org/sso',
    {
      schema: { operationId: 'getSsoConfig', tags: ['sso'], response: { 200: SsoConfigView, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage', sessionOnly: true } },
    },
    async (request) => sso.getConfig(requireCtx(request)),
  );

  app.put(
    '/api/v1/org/sso',
    {
      schema: { operationId: 'putSsoConfig', tags: ['sso'], body: SsoConfigBody, response: { 200: SsoConfigView, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage', sessionOnly: true }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request) => sso.putConfig(requireCtx(request), request.body),
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
    async (request, reply) => {
      const { orgSlug } = request.params;
      const { returnTo } = request.query;
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
    async (request, reply) => {
      const query = request.query;
      const search = new URLSearchParams();
      for (const name of CALLBACK_PARAMS) {
        const value = query[name];
        if (value !== undefined) search.set(name, value);
      }
      const handle = request.cookies[bindingCookie];
      reply.clearCookie(bindingCookie, cookieOptions);
      reply.header('cache-control', 'no-store');
      let result: Awaited<ReturnType<typeof sso.callback>>;
      try {
        result = await sso.callback(handle, search.toString(), client(request));
      } catch (err) {
        // A browser lands here, not a script: a refusal goes back to the sign-in page with a
        // fixed code the console explains (issue 21), never a raw problem document.
        // Scripts (no text/html in Accept) keep getting the problem document.
        const code = ssoErrorCode(err);
        if (code === null || !/text\/html/.test(request.headers.accept ?? '')) throw err;
        return reply.redirect(`/app/sign-in?sso=${code}`, 302);
      }
      if (result.kind === 'link') return reply.redirect(`${SSO_LINK_PAGE}#${result.linkToken}`, 302);
      setSessionCookie(reply, deps.cookie, result.token);
      return reply.redirect(result.returnTo, 302);
    },
  );

  app.post(
    '/api/v1/auth/sso/link',
    {
      schema: {
        operationId: 'ssoLink',
        tags: ['auth', 'sso'],
        body: Type.Object(
          { token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }), password: Type.String({ minLength: 1, maxLength: 1024 }), code: Type.String({ pattern: '^[0-9]{6}$' }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ csrfToken: Type.String(), returnTo: Type.String() }), 409: Problem, ...ProblemResponses, 503: Problem },
      },
      config: { access: { public: 'after SSO, the person proves control of the existing account (password + TOTP); the link token binds it to the IdP identity' }, rateLimit: { max: 20, timeWindow: '1 minute' } },
      preHandler: async (request) => {
        const origin = request.headers.origin;
        if (origin !== undefined && origin !== deps.publicOrigin) throw new ForbiddenError({ detail: 'Cross-origin request refused (Origin does not match).' });
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await sso.link(body, client(request));
      setSessionCookie(reply, deps.cookie, result.token);
      reply.header('cache-control', 'no-store');
      return { csrfToken: csrfTokenFor(result.token), returnTo: result.returnTo };
    },
  );

  app.get(
    '/api/v1/org/sso/domains',
    {
      schema: { operationId: 'listSsoDomains', tags: ['sso'], response: { 200: Type.Object({ domains: Type.Array(SsoDomainView) }), ...ProblemResponses } },
      config: { access: { permission: 'settings:manage', sessionOnly: true } },
    },
    async (request) => ({ domains: await sso.listDomains(requireCtx(request)) }),
  );

  app.post(
    '/api/v1/org/sso/domains/:domain/verification',
    {
      schema: { operationId: 'requestSsoDomainVerification', tags: ['sso'], params: DomainParam, response: { 200: SsoDomainView, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage', sessionOnly: true }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request) => sso.requestDomainVerification(requireCtx(request), request.params.domain),
  );

  app.post(
    '/api/v1/org/sso/domains/:domain/check',
    {
      schema: { operationId: 'checkSsoDomain', tags: ['sso'], params: DomainParam, response: { 200: SsoDomainView, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage', sessionOnly: true }, rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request) => sso.checkDomain(requireCtx(request), request.params.domain),
  );
}
