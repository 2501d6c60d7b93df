// HTTP for the org's retention setting (admins). The sweep itself runs in the worker
// (queue retention-sweep, daily) and from the CLI (`hirebox retention sweep`).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import type { RetentionService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Errors = { ...ProblemResponses, 422: Problem };

const Retention = Type.Object({
  days: Type.Integer(),
  defaultDays: Type.Integer(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Uuid, Type.Null()]),
  dueNow: Type.Integer({ description: 'Candidates whose data the next sweep erases.' }),
});

export async function retentionRoutes(fastify: FastifyInstance, deps: { retention: RetentionService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/org/retention',
    {
      schema: {
        operationId: 'getRetention',
        tags: ['privacy'],
        description: 'Days candidate data is kept after the final decision on all of their applications (default 180).',
        response: { 200: Retention, ...Errors },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.retention.settings(requireCtx(request)),
  );

  app.patch(
    '/api/v1/org/retention',
    {
      schema: {
        operationId: 'updateRetention',
        tags: ['privacy'],
        body: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 3650 }) }, { additionalProperties: false }),
        response: { 200: Retention, ...Errors },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.retention.updateSettings(requireCtx(request), request.body.days),
  );
}
