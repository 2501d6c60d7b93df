import type { FastifyInstance } from 'fastify';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses } from '../../core/schemas.js';
import { IdParams } from '../../core/schemas.js';
import { ScorecardBody, ScorecardList, ScorecardSummary, ScorecardView } from './schemas.js';
import type { ScorecardService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Errors = { ...ProblemResponses, 409: Problem, 422: Problem };

export async function scorecardRoutes(fastify: FastifyInstance, deps: { scorecards: ScorecardService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/applications/:id/scorecards',
    {
      schema: { operationId: 'listScorecards', tags: ['scorecards'], params: IdParams, response: { 200: ScorecardList, ...Errors } },
      config: { access: { permission: 'applications:feedback' } },
    },
    async (request) => deps.scorecards.list(requireCtx(request), request.params.id),
  );

  app.put(
    '/api/v1/applications/:id/scorecard',
    {
      schema: { operationId: 'saveScorecard', tags: ['scorecards'], params: IdParams, body: ScorecardBody, response: { 200: ScorecardView, ...Errors } },
      config: { access: { permission: 'applications:feedback' } },
    },
    async (request) => deps.scorecards.save(requireCtx(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/jobs/:id/scorecards/summary',
    {
      schema: { operationId: 'scorecardSummary', tags: ['scorecards'], params: IdParams, response: { 200: ScorecardSummary, ...Errors } },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => deps.scorecards.summary(requireCtx(request), request.params.id),
  );
}
