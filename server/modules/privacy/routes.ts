// HTTP for data subject requests: erasure of one candidate on request (admins). The export
// side is GET /api/v1/candidates/:id/export (server/modules/messages/export.ts) and the CLI.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { IdParams } from '../../core/schemas.js';
import { REFERENCE_PATTERN } from '../rights/index.js';
import type { PrivacyService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const ErasureBody = Type.Object(
  {
    reference: Type.String({ pattern: REFERENCE_PATTERN, description: 'The request ticket or case reference (letters, digits, space and . _ : / # -; at most 120).' }),
    confirm: Type.Literal(true, { description: 'Must be true: erasure destroys the candidate key and cannot be undone.' }),
    privacyRequestId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const ErasureResponse = Type.Object({
  candidateId: Uuid,
  erasedAt: Type.String(),
  reason: Type.Literal('request'),
  reference: Type.String(),
  privacyRequestId: Type.Union([Uuid, Type.Null()]),
  applicationsWithdrawn: Type.Integer(),
  interviewsCancelled: Type.Integer(),
  files: Type.Integer(),
  documents: Type.Integer(),
  notes: Type.Integer(),
  messages: Type.Integer(),
  demographics: Type.Integer(),
  answers: Type.Integer(),
  interviews: Type.Integer(),
  decisions: Type.Integer(),
  recordings: Type.Integer(),
  vapiCallsToDelete: Type.Integer(),
});

export async function privacyRoutes(fastify: FastifyInstance, deps: { privacy: PrivacyService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/candidates/:id/erasure',
    {
      schema: {
        operationId: 'eraseCandidate',
        tags: ['privacy'],
        description:
          "Erases the candidate now (data subject request), by the same path as the retention sweep: open applications are withdrawn, interviews cancelled, CV files deleted, personal data removed and the candidate key destroyed. Applications, decision outcomes and scores stay without anything that identifies the person. Audited as candidate.erased (reason 'request'). 409 when already erased.",
        params: IdParams,
        body: ErasureBody,
        response: { 200: ErasureResponse, ...ProblemResponses, 409: Problem, 413: Problem, 422: Problem },
      },
      config: { access: { permission: 'privacy:manage' } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const body = request.body;
      return deps.privacy.eraseCandidate(requireCtx(request), request.params.id, { reference: body.reference.trim(), ...(body.privacyRequestId ? { privacyRequestId: body.privacyRequestId } : {}) });
    },
  );
}
