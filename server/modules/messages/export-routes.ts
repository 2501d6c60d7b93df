// GET /api/v1/candidates/:id/export: the HTTP side of the candidate export (export.ts).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { IdParams, Problem, ProblemResponses } from '../../core/schemas.js';
import { CandidateSchema } from '../candidates/index.js';
import type { CandidateExportService } from './export.js';

export async function candidateExportRoutes(fastify: FastifyInstance, deps: { exports: CandidateExportService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/candidates/:id/export',
    {
      schema: {
        operationId: 'exportCandidate',
        tags: ['candidates'],
        description: 'Everything held about the candidate (details, applications, CV text, timeline, notes, decisions, messages, demographics, answers to application questions, AI screenings, interviews with transcripts), decrypted, as JSON. Audited.',
        params: IdParams,
        querystring: Type.Object({ privacyRequestId: Type.Optional(Type.String({ format: 'uuid', description: 'The access request this export answers: closed with it.' })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            formatVersion: Type.Integer(),
            exportedAt: Type.String(),
            candidate: Type.Object({ ...CandidateSchema.properties, createdAt: Type.String() }),
            applications: Type.Array(Type.Object({}, { additionalProperties: true })),
          }),
          ...ProblemResponses,
          409: Problem,
          422: Problem,
        },
      },
      config: { access: { permission: 'privacy:manage' } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      reply.header('content-disposition', 'attachment; filename="candidate-export.json"');
      return deps.exports.export(requireCtx(request), request.params.id, request.query);
    },
  );
}
