// HTTP for a job's application questions (issue 21 item 5).
import type { FastifyInstance } from 'fastify';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses } from '../../core/schemas.js';
import type { QuestionService } from './questions-service.js';
import { IdParams } from '../../core/schemas.js';
import { QuestionSetBody, QuestionSetView } from './schemas.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Errors = { ...ProblemResponses, 422: Problem };

export async function questionRoutes(fastify: FastifyInstance, deps: { questions: QuestionService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/jobs/:id/questions',
    {
      schema: {
        operationId: 'getJobQuestions',
        tags: ['jobs'],
        description: "The job's current application questions and knock-out rules (version 0: none).",
        params: IdParams,
        response: { 200: QuestionSetView, ...Errors },
      },
      config: { access: { permission: 'jobs:read' } },
    },
    async (request) => deps.questions.get(requireCtx(request), request.params.id),
  );

  app.put(
    '/api/v1/jobs/:id/questions',
    {
      schema: {
        operationId: 'setJobQuestions',
        tags: ['jobs'],
        description:
          'Replaces the application questions (up to 20) and knock-out rules. A different set records a new version; candidates answer the version shown to them. A knock-out only marks the application "needs human review": it is never rejected without a member\'s decision.',
        params: IdParams,
        body: QuestionSetBody,
        response: { 200: QuestionSetView, ...Errors },
      },
      config: { access: { permission: 'jobs:write' } },
    },
    async (request) => deps.questions.set(requireCtx(request), request.params.id, request.body),
  );
}
