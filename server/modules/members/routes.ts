import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ROLES } from '../../core/permissions.js';
import { requireCtx } from '../../plugins/access.js';
import { Email, ProblemResponses, Uuid } from '../../core/schemas.js';
import type { MembersService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Literals, NoContent } from '../../plugins/route-types.js';

const RoleSchema = Literals(ROLES);
const UserParams = Type.Object({ userId: Uuid });

export async function membersRoutes(fastify: FastifyInstance, deps: { members: MembersService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/members',
    {
      schema: {
        operationId: 'listMembers',
        tags: ['members'],
        response: {
          200: Type.Object({
            members: Type.Array(Type.Object({ userId: Type.String(), email: Type.String(), displayName: Type.Union([Type.String(), Type.Null()]), role: Type.String(), mfaEnabled: Type.Boolean(), joinedAt: Type.String() })),
          }),
          ...ProblemResponses,
        },
      },
      config: { access: { permission: 'members:read' } },
    },
    async (request) => ({ members: await deps.members.list(requireCtx(request)) }),
  );

  app.post(
    '/api/v1/members/invitations',
    {
      schema: {
        operationId: 'inviteMember',
        tags: ['members'],
        body: Type.Object({ email: Email, role: RoleSchema }, { additionalProperties: false }),
        response: { 201: Type.Object({ invitationId: Type.String(), expiresAt: Type.String() }), ...ProblemResponses },
      },
      config: { access: { permission: 'members:manage', sessionOnly: true }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => reply.code(201).send(await deps.members.invite(requireCtx(request), request.body)),
  );

  app.patch(
    '/api/v1/members/:userId',
    {
      schema: {
        operationId: 'changeMemberRole',
        tags: ['members'],
        params: UserParams,
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: { 204: NoContent, 409: ProblemResponses[400], ...ProblemResponses },
      },
      config: { access: { permission: 'members:manage', sessionOnly: true } },
    },
    async (request, reply) => {
      await deps.members.changeRole(requireCtx(request), request.params.userId, request.body.role);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/v1/members/:userId',
    {
      schema: { operationId: 'removeMember', tags: ['members'], params: UserParams, response: { 204: NoContent, 409: ProblemResponses[400], ...ProblemResponses } },
      config: { access: { permission: 'members:manage', sessionOnly: true } },
    },
    async (request, reply) => {
      await deps.members.remove(requireCtx(request), request.params.userId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/members/:userId/mfa-reset',
    {
      // 409: the person also belongs to other orgs (only the operator may reset their MFA).
      schema: { operationId: 'resetMemberMfa', tags: ['members'], params: UserParams, response: { 204: NoContent, 409: ProblemResponses[400], ...ProblemResponses } },
      config: { access: { permission: 'members:manage', sessionOnly: true } },
    },
    async (request, reply) => {
      await deps.members.resetMfa(requireCtx(request), request.params.userId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/invitations/accept',
    {
      schema: {
        operationId: 'acceptInvitation',
        tags: ['members'],
        body: Type.Object(
          { token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }), password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })), currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ orgId: Type.String(), role: Type.String() }), ...ProblemResponses },
      },
      config: { access: { public: 'invitation link landing: the token is the credential' }, rateLimit: { max: 20, timeWindow: '1 minute' } },
    },
    async (request) => deps.members.acceptInvite(request.body, { ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id }),
  );
}
