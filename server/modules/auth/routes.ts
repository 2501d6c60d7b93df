import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../core/db.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../core/errors.js';
import { clearSessionCookie, requireCtx, requireSession, setSessionCookie, type CookiePolicy } from '../../plugins/access.js';
import { Email, ProblemResponses, Uuid } from '../../core/schemas.js';
import { DEV_DEVICE_COOKIE, DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_S } from './devices.js';
import { userEmailOf, type AuthService, type ClientInfo } from './service.js';
import { csrfTokenFor } from '../../core/tokens.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NoContent } from '../../plugins/route-types.js';

const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Code = Type.String({ pattern: '^[0-9]{6}$' });
const RecoveryCode = Type.String({ minLength: 8, maxLength: 40 });
const Token = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });
const CsrfOnly = Type.Object({ csrfToken: Type.String() });

// Credential endpoints: a per-IP ceiling checked in Redis before any argon2 or TOTP work.
const credentialLimit = { max: 20, timeWindow: '1 minute' };

export interface AuthRouteDeps {
  db: Db;
  auth: AuthService;
  cookie: CookiePolicy;
  publicOrigin: string;
}

export async function authRoutes(fastify: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const client = (request: FastifyRequest): ClientInfo => ({ ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id });
  // Reset mails are sent after the answer (same timing for every address); closing waits for them.
  app.addHook('onClose', async () => deps.auth.settle());
  // The device cookie (devices.ts) only travels to the sign-in form's own POST: Strict, HttpOnly.
  const deviceCookie = deps.cookie.secure ? DEVICE_COOKIE : DEV_DEVICE_COOKIE;
  const startSession = (reply: FastifyReply, token: string): string => {
    setSessionCookie(reply, deps.cookie, token);
    return csrfTokenFor(token);
  };
  // Public credential forms still refuse foreign origins (login CSRF).
  const sameOriginIfSent = async (request: FastifyRequest): Promise<void> => {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== deps.publicOrigin) throw new ForbiddenError({ detail: 'Cross-origin request refused (Origin does not match).' });
  };

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        operationId: 'login',
        tags: ['auth'],
        body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }), password: Password, orgSlug: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ mfa: Type.Union([Type.Literal('required'), Type.Literal('enroll')]), csrfToken: Type.String() }), ...ProblemResponses },
      },
      config: { access: { public: 'sign-in form' }, rateLimit: credentialLimit },
      preHandler: sameOriginIfSent,
    },
    async (request, reply) => {
      const result = await deps.auth.login(request.body, { ...client(request), device: request.cookies[deviceCookie] });
      const csrfToken = startSession(reply, result.token);
      reply.setCookie(deviceCookie, result.device, { path: '/', httpOnly: true, secure: deps.cookie.secure, sameSite: 'strict', maxAge: DEVICE_COOKIE_MAX_AGE_S });
      return { mfa: result.mfa, csrfToken };
    },
  );

  app.post(
    '/api/v1/auth/mfa/enroll',
    {
      schema: {
        operationId: 'mfaEnroll',
        tags: ['auth'],
        response: { 200: Type.Object({ secret: Type.String(), otpauthUrl: Type.String(), qrCodeDataUrl: Type.String() }), 409: ProblemResponses[400], ...ProblemResponses },
      },
      config: { access: { authenticated: true, reason: 'enrolment happens before MFA is complete', mfaPending: true }, rateLimit: credentialLimit },
    },
    async (request) => deps.auth.mfaEnroll(requireSession(request)),
  );

  app.post(
    '/api/v1/auth/mfa/verify',
    {
      schema: {
        operationId: 'mfaVerify',
        tags: ['auth'],
        body: Type.Object({ code: Type.Optional(Code), recoveryCode: Type.Optional(RecoveryCode) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: Type.Object({ csrfToken: Type.String(), recoveryCodes: Type.Optional(Type.Array(Type.String())) }), ...ProblemResponses },
      },
      config: { access: { authenticated: true, reason: 'the second factor completes sign-in', mfaPending: true }, rateLimit: credentialLimit },
    },
    async (request, reply) => {
      const result = await deps.auth.mfaVerify(requireSession(request), request.body, client(request));
      return { csrfToken: startSession(reply, result.token), ...(result.recoveryCodes ? { recoveryCodes: result.recoveryCodes } : {}) };
    },
  );

  app.post(
    '/api/v1/auth/mfa/recovery-codes',
    {
      schema: {
        operationId: 'regenerateRecoveryCodes',
        tags: ['auth'],
        body: Type.Object({ code: Code }, { additionalProperties: false }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...ProblemResponses },
      },
      config: { access: { authenticated: true, reason: 'members manage their own recovery codes' }, rateLimit: credentialLimit },
    },
    async (request) => ({ recoveryCodes: await deps.auth.regenerateRecoveryCodes(requireSession(request), request.body.code, client(request)) }),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: { operationId: 'logout', tags: ['auth'], response: { 204: NoContent, ...ProblemResponses } },
      config: { access: { authenticated: true, reason: 'a member may always end their own session', mfaPending: true } },
    },
    async (request, reply) => {
      await deps.auth.logout(requireSession(request), client(request));
      clearSessionCookie(reply, deps.cookie);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/logout-everywhere',
    {
      schema: { operationId: 'logoutEverywhere', tags: ['auth'], response: { 204: NoContent, ...ProblemResponses } },
      config: { access: { authenticated: true, reason: 'a member may end all of their own sessions' } },
    },
    async (request, reply) => {
      await deps.auth.logout(requireSession(request), client(request), true);
      clearSessionCookie(reply, deps.cookie);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/auth/sessions',
    {
      schema: {
        operationId: 'listSessions',
        tags: ['auth'],
        response: {
          200: Type.Object({
            sessions: Type.Array(
              Type.Object({
                id: Type.String(),
                orgId: Type.Union([Type.String(), Type.Null()]),
                createdAt: Type.String(),
                lastSeenAt: Type.String(),
                expiresAt: Type.String(),
                ip: Type.Union([Type.String(), Type.Null()]),
                userAgent: Type.Union([Type.String(), Type.Null()]),
                current: Type.Boolean(),
              }),
            ),
          }),
          ...ProblemResponses,
        },
      },
      config: { access: { authenticated: true, reason: 'members list their own sessions' } },
    },
    async (request) => ({ sessions: await deps.auth.listSessions(requireSession(request)) }),
  );

  app.delete(
    '/api/v1/auth/sessions/:sessionId',
    {
      schema: { operationId: 'revokeSession', tags: ['auth'], params: Type.Object({ sessionId: Uuid }), response: { 204: NoContent, ...ProblemResponses } },
      config: { access: { authenticated: true, reason: 'members revoke their own sessions' } },
    },
    async (request, reply) => {
      const ok = await deps.auth.revokeOwnSession(requireSession(request), request.params.sessionId, client(request));
      if (!ok) throw new NotFoundError({ resource: 'Session' });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/reauthenticate',
    {
      schema: {
        operationId: 'reauthenticate',
        tags: ['auth'],
        body: Type.Object({ password: Type.Optional(Password), code: Type.Optional(Code) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: CsrfOnly, ...ProblemResponses },
      },
      config: { access: { authenticated: true, reason: 'step-up before sensitive changes to one\'s own account' }, rateLimit: credentialLimit },
    },
    async (request, reply) => ({ csrfToken: startSession(reply, await deps.auth.reauthenticate(requireSession(request), request.body, client(request))) }),
  );

  app.post(
    '/api/v1/auth/password',
    {
      schema: {
        operationId: 'changePassword',
        tags: ['auth'],
        body: Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false }),
        response: { 200: CsrfOnly, ...ProblemResponses },
      },
      config: { access: { authenticated: true, reason: 'members change their own password' }, rateLimit: credentialLimit },
    },
    async (request, reply) => ({ csrfToken: startSession(reply, await deps.auth.changePassword(requireSession(request), request.body, client(request))) }),
  );

  app.post(
    '/api/v1/auth/email',
    {
      schema: {
        operationId: 'changeEmail',
        tags: ['auth'],
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: { 202: Type.Object({ status: Type.String() }), ...ProblemResponses },
      },
      config: { access: { authenticated: true, reason: 'members change their own sign-in address' }, rateLimit: credentialLimit },
    },
    async (request, reply) => {
      await deps.auth.requestEmailChange(requireSession(request), request.body, client(request));
      // The same answer whether or not the address already has an account.
      return reply.code(202).send({ status: 'A confirmation link is on its way to the new address. Your sign-in address changes when it is opened.' });
    },
  );

  app.post(
    '/api/v1/auth/email/confirm',
    {
      schema: { operationId: 'confirmEmailChange', tags: ['auth'], body: Type.Object({ token: Token }, { additionalProperties: false }), response: { 204: NoContent, 409: ProblemResponses[400], ...ProblemResponses } },
      config: { access: { public: 'confirm link mailed to the new address: the token is the credential' }, rateLimit: credentialLimit },
      preHandler: sameOriginIfSent,
    },
    async (request, reply) => {
      await deps.auth.confirmEmailChange(request.body.token, client(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/email/revert',
    {
      schema: { operationId: 'revertEmailChange', tags: ['auth'], body: Type.Object({ token: Token }, { additionalProperties: false }), response: { 204: NoContent, 409: ProblemResponses[400], ...ProblemResponses } },
      config: { access: { public: 'undo link mailed to the old address: the token is the credential' }, rateLimit: credentialLimit },
      preHandler: sameOriginIfSent,
    },
    async (request, reply) => {
      await deps.auth.revertEmailChange(request.body.token, client(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      schema: { operationId: 'requestPasswordReset', tags: ['auth'], body: Type.Object({ email: Email }, { additionalProperties: false }), response: { 202: Type.Object({ status: Type.String() }), ...ProblemResponses } },
      config: { access: { public: 'forgotten-password form' }, rateLimit: { max: 5, timeWindow: '1 minute' } },
      preHandler: sameOriginIfSent,
    },
    async (request, reply) => {
      await deps.auth.requestPasswordReset(request.body.email, client(request));
      return reply.code(202).send({ status: 'If the address belongs to an account, a reset link is on its way.' });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/complete',
    {
      schema: { operationId: 'completePasswordReset', tags: ['auth'], body: Type.Object({ token: Token, newPassword: Password }, { additionalProperties: false }), response: { 204: NoContent, ...ProblemResponses } },
      config: { access: { public: 'reset link landing: the token is the credential' }, rateLimit: credentialLimit },
      preHandler: sameOriginIfSent,
    },
    async (request, reply) => {
      const body = request.body;
      await deps.auth.completePasswordReset({ token: body.token, newPassword: body.newPassword }, client(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/setup',
    {
      schema: { operationId: 'completeSetup', tags: ['auth'], body: Type.Object({ token: Token, password: Password }, { additionalProperties: false }), response: { 204: NoContent, ...ProblemResponses } },
      config: { access: { public: 'one-time setup link from `hirebox org create`: the token is the credential' }, rateLimit: credentialLimit },
      preHandler: sameOriginIfSent,
    },
    async (request, reply) => {
      await deps.auth.completeSetup(request.body, client(request));
      return reply.code(204).send();
    },
  );

  const OrgView = Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String(), role: Type.String() });

  app.get(
    '/api/v1/auth/orgs',
    {
      schema: { operationId: 'listMyOrgs', tags: ['auth'], response: { 200: Type.Object({ orgs: Type.Array(OrgView) }), ...ProblemResponses } },
      config: { access: { authenticated: true, reason: 'the org switcher lists the member\'s own orgs' } },
    },
    async (request) => ({
      orgs: (await deps.auth.membershipsOf(requireSession(request).userId)).map((m) => ({ id: m.orgId, slug: m.slug, name: m.name, role: m.role })),
    }),
  );

  app.post(
    '/api/v1/auth/switch-org',
    {
      schema: {
        operationId: 'switchOrg',
        tags: ['auth'],
        body: Type.Object({ orgId: Uuid }, { additionalProperties: false }),
        response: { 200: Type.Object({ orgId: Type.String(), role: Type.String(), csrfToken: Type.String() }), ...ProblemResponses },
      },
      config: { access: { authenticated: true, reason: 'members move between their own orgs' } },
    },
    async (request, reply) => {
      const result = await deps.auth.switchOrg(requireSession(request), request.body.orgId, client(request));
      return { orgId: result.orgId, role: result.role, csrfToken: startSession(reply, result.token) };
    },
  );

  const SessionPolicy = Type.Object(
    { sessionIdleSeconds: Type.Integer({ minimum: 60, maximum: 1800 }), sessionAbsoluteSeconds: Type.Integer({ minimum: 300, maximum: 43_200 }) },
    { additionalProperties: false },
  );

  app.get(
    '/api/v1/org/session-policy',
    {
      schema: { operationId: 'getSessionPolicy', tags: ['settings'], response: { 200: SessionPolicy, ...ProblemResponses } },
      config: { access: { permission: 'org:read' } },
    },
    async (request) => deps.auth.getSessionPolicy(requireCtx(request)),
  );

  app.put(
    '/api/v1/org/session-policy',
    {
      schema: { operationId: 'setSessionPolicy', tags: ['settings'], body: SessionPolicy, response: { 200: SessionPolicy, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage', sessionOnly: true } },
    },
    async (request) => {
      const ctx = requireCtx(request);
      await deps.auth.setSessionPolicy(ctx, request.body);
      return deps.auth.getSessionPolicy(ctx);
    },
  );

  app.get(
    '/api/v1/me',
    {
      schema: {
        operationId: 'getMe',
        tags: ['auth'],
        response: {
          200: Type.Object({
            user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.Union([Type.String(), Type.Null()]) }),
            org: Type.Union([Type.Object({ id: Type.String() }), Type.Null()]),
            role: Type.Union([Type.String(), Type.Null()]),
            csrfToken: Type.String(),
          }),
          ...ProblemResponses,
        },
      },
      config: { access: { authenticated: true, reason: 'every member may read their own identity' } },
    },
    async (request) => {
      const session = requireSession(request);
      const user = await userEmailOf(deps.db, session.userId);
      if (!user) throw new UnauthorizedError();
      return {
        user: { id: session.userId, email: user.email, displayName: user.displayName },
        org: session.orgId ? { id: session.orgId } : null,
        role: session.role,
        csrfToken: csrfTokenFor(request.cookies[deps.cookie.name] as string),
      };
    },
  );
}
