// Token administration is session-only: these routes use `authenticated` rules, which a
// bearer token never passes (server/plugins/access.ts), so a token cannot mint tokens.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { PERMISSIONS } from '../../core/permissions.js';
import { requireCtx } from '../../plugins/access.js';
import { DisplayText, ProblemResponses, Uuid } from '../../core/schemas.js';
import { MAX_TOKEN_DAYS, type TokenService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Literals, NoContent } from '../../plugins/route-types.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const TokenView = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  revokedAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
  lastUsedIp: Nullable(Type.String()),
});
const Scope = Literals(PERMISSIONS);
const rule = { authenticated: true, reason: 'members manage their own API tokens (admins: every token of the org); never with a token' } as const;

export async function tokenRoutes(fastify: FastifyInstance, deps: { tokens: TokenService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/api-tokens',
    {
      schema: {
        operationId: 'createApiToken',
        summary: 'Create an API token (the secret is shown once)',
        tags: ['api-tokens'],
        body: Type.Object(
          {
            name: DisplayText(100),
            scopes: Type.Array(Scope, { minItems: 1, maxItems: PERMISSIONS.length, uniqueItems: true }),
            expiresInDays: Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Intersect([TokenView, Type.Object({ token: Type.String() })]), ...ProblemResponses },
      },
      config: { access: rule, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const body = request.body;
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(await deps.tokens.create(requireCtx(request), body));
    },
  );

  app.get(
    '/api/v1/api-tokens',
    {
      schema: { operationId: 'listApiTokens', summary: 'List API tokens (own; admins: all of the org)', tags: ['api-tokens'], response: { 200: Type.Object({ tokens: Type.Array(TokenView) }), ...ProblemResponses } },
      config: { access: rule },
    },
    async (request) => ({ tokens: await deps.tokens.list(requireCtx(request)) }),
  );

  app.delete(
    '/api/v1/api-tokens/:id',
    {
      schema: { operationId: 'revokeApiToken', summary: 'Revoke an API token', tags: ['api-tokens'], params: Type.Object({ id: Uuid }), response: { 204: NoContent, ...ProblemResponses } },
      config: { access: rule },
    },
    async (request, reply) => {
      await deps.tokens.revoke(requireCtx(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
