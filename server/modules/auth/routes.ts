import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { requireCtx, SESSION_COOKIE } from '../../plugins/access.js';
import { ProblemResponses } from '../../plugins/schemas.js';
import { findUserEmail, revokeSession } from './repo.js';
import { csrfTokenFor } from './tokens.js';

const Me = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.Union([Type.String(), Type.Null()]) }),
  org: Type.Object({ id: Type.String() }),
  role: Type.String(),
  csrfToken: Type.String(),
});

export async function authRoutes(app: FastifyInstance, deps: { db: Db; clock: () => Date }): Promise<void> {
  app.get(
    '/api/v1/me',
    {
      schema: { operationId: 'getMe', tags: ['auth'], response: { 200: Me, ...ProblemResponses } },
      config: { access: { authenticated: true, reason: 'every member may read their own identity' } },
    },
    async (request) => {
      const ctx = requireCtx(request);
      const user = await findUserEmail(deps.db.pool, ctx.userId);
      if (!user) throw new NotFoundError({ resource: 'user' });
      return {
        user: { id: ctx.userId, email: user.email, displayName: user.displayName },
        org: { id: ctx.orgId },
        role: ctx.role,
        csrfToken: csrfTokenFor(request.cookies[SESSION_COOKIE] as string),
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: { operationId: 'logout', tags: ['auth'], response: { 204: Type.Null(), ...ProblemResponses } },
      config: { access: { authenticated: true, reason: 'a member may always end their own session' } },
    },
    async (request, reply) => {
      const ctx = requireCtx(request);
      await revokeSession(deps.db.pool, ctx.sessionId, deps.clock());
      reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
      return reply.code(204).send();
    },
  );
}
