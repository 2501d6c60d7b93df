import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses, Uuid } from '../../core/schemas.js';
import { IdParams } from '../../core/schemas.js';
import type { CandidateService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

export const CandidateSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  email: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()]),
  links: Type.Array(Type.String()),
});

export async function candidateRoutes(fastify: FastifyInstance, deps: { candidates: CandidateService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/candidates/:id',
    {
      schema: {
        operationId: 'getCandidate',
        tags: ['candidates'],
        description: 'Decrypts the candidate\'s details; every view is recorded in the audit log.',
        params: IdParams,
        response: {
          200: Type.Object({
            ...CandidateSchema.properties,
            createdAt: Type.String(),
            applications: Type.Array(Type.Object({ id: Uuid, jobId: Uuid, jobTitle: Type.String(), stageKind: Type.String(), createdAt: Type.String() })),
          }),
          ...ProblemResponses,
        },
      },
      config: { access: { permission: 'candidates:read' } },
    },
    async (request) => deps.candidates.get(requireCtx(request), request.params.id),
  );
}
