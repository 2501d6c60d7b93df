// Saved pipeline views, job visits and job summaries (issue 21). Views are the member's own:
// nobody else (not even an admin) lists or deletes them.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { JobStatusSchema } from '../jobs/index.js';
import { CreateViewBody, JobSummary, SavedView } from './schemas.js';
import type { TriageService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NoContent } from '../../plugins/route-types.js';

const Errors = { ...ProblemResponses, 409: Problem, 422: Problem };
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export async function triageRoutes(fastify: FastifyInstance, deps: { triage: TriageService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { triage } = deps;

  app.get(
    '/api/v1/saved-views',
    {
      schema: { operationId: 'listSavedViews', tags: ['applications'], response: { 200: Type.Object({ views: Type.Array(SavedView) }), ...Errors } },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => triage.listViews(requireCtx(request)),
  );

  app.post(
    '/api/v1/saved-views',
    {
      schema: {
        operationId: 'createSavedView',
        tags: ['applications'],
        description: 'Saves a named set of pipeline filters (layout, sort, recommendation, flags, tag) for the signed-in member only. 409 when the name is taken.',
        body: CreateViewBody,
        response: { 201: SavedView, ...Errors },
      },
      config: { access: { permission: 'applications:read' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => reply.code(201).send(await triage.createView(requireCtx(request), request.body)),
  );

  app.delete(
    '/api/v1/saved-views/:id',
    {
      schema: { operationId: 'deleteSavedView', tags: ['applications'], params: IdParams, response: { 204: NoContent, ...Errors } },
      config: { access: { permission: 'applications:read' } },
    },
    async (request, reply) => {
      await triage.deleteView(requireCtx(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/jobs/:id/visit',
    {
      schema: {
        operationId: 'visitJobPipeline',
        tags: ['jobs'],
        description: 'Records that the member opened the job\'s pipeline now; answers the previous visit (null on the first) so the console can mark what is new.',
        params: IdParams,
        response: { 200: Type.Object({ previousVisitAt: Type.Union([Type.String(), Type.Null()]) }), ...Errors },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => triage.visitJob(requireCtx(request), request.params.id),
  );

  app.get(
    '/api/v1/job-summaries',
    {
      schema: {
        operationId: 'listJobSummaries',
        tags: ['jobs'],
        description: 'The jobs you can see (hiring managers: assigned ones), newest first, each with applications per stage and how many arrived since your last visit to its pipeline.',
        querystring: Type.Object({ status: Type.Optional(JobStatusSchema) }, { additionalProperties: false }),
        response: { 200: Type.Object({ jobs: Type.Array(JobSummary) }), ...Errors },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => triage.jobSummaries(requireCtx(request), request.query),
  );
}
