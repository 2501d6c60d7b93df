import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses } from '../../core/schemas.js';
import type { AuditService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const AuditEvent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  seq: Type.Integer(),
  occurredAt: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
  prevHash: Type.String(),
  hash: Type.String(),
});

const VerifyResult = Type.Object({
  orgId: Type.String(),
  ok: Type.Boolean(),
  eventsChecked: Type.Integer(),
  checkpointsChecked: Type.Integer(),
  lastSeq: Type.Integer(),
  lastHash: Type.String(),
  firstBroken: Type.Union([
    Type.Object({ seq: Type.Integer(), eventId: Type.Union([Type.String(), Type.Null()]), reason: Type.String(), detail: Type.String() }),
    Type.Null(),
  ]),
});

const ListQuery = Type.Object(
  {
    afterSeq: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    action: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_.]{1,99}$' })),
  },
  { additionalProperties: false },
);

export async function auditRoutes(fastify: FastifyInstance, deps: { audit: AuditService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/audit/events',
    {
      schema: {
        operationId: 'listAuditEvents',
        tags: ['audit'],
        querystring: ListQuery,
        response: { 200: Type.Object({ events: Type.Array(AuditEvent), nextAfterSeq: Type.Union([Type.Integer(), Type.Null()]) }), ...ProblemResponses },
      },
      config: { access: { permission: 'audit:read' } },
    },
    async (request) => {
      const q = request.query;
      return deps.audit.listEvents(requireCtx(request), q);
    },
  );

  app.get(
    '/api/v1/audit/verify',
    {
      schema: { operationId: 'verifyAuditChain', tags: ['audit'], response: { 200: VerifyResult, ...ProblemResponses } },
      config: { access: { permission: 'audit:read' } },
    },
    async (request) => deps.audit.verify(requireCtx(request)),
  );
}
