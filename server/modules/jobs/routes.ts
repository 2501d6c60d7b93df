import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses } from '../../core/schemas.js';
import { CreateJobBody, Job, ListJobsQuery, PipelineBody, Stage, UpdateJobBody } from './schemas.js';
import { IdParams } from '../../core/schemas.js';
import type { JobService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Errors = { ...ProblemResponses, 409: ProblemResponses[400], 422: ProblemResponses[400] };

export async function jobRoutes(fastify: FastifyInstance, deps: { jobs: JobService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/jobs',
    {
      schema: {
        operationId: 'listJobs',
        tags: ['jobs'],
        querystring: ListJobsQuery,
        response: { 200: Type.Object({ jobs: Type.Array(Job), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...Errors },
      },
      config: { access: { permission: 'jobs:read' } },
    },
    async (request) => {
      const q = request.query;
      return deps.jobs.list(requireCtx(request), q);
    },
  );

  app.post(
    '/api/v1/jobs',
    {
      schema: { operationId: 'createJob', tags: ['jobs'], body: CreateJobBody, response: { 201: Job, ...Errors } },
      config: { access: { permission: 'jobs:write' } },
    },
    async (request, reply) => {
      const job = await deps.jobs.create(requireCtx(request), request.body);
      return reply.code(201).send(job);
    },
  );

  app.get(
    '/api/v1/jobs/:id',
    {
      schema: { operationId: 'getJob', tags: ['jobs'], params: IdParams, response: { 200: Job, ...Errors } },
      config: { access: { permission: 'jobs:read' } },
    },
    async (request) => deps.jobs.get(requireCtx(request), request.params.id),
  );

  app.patch(
    '/api/v1/jobs/:id',
    {
      schema: { operationId: 'updateJob', tags: ['jobs'], params: IdParams, body: UpdateJobBody, response: { 200: Job, ...Errors } },
      config: { access: { permission: 'jobs:write' } },
    },
    async (request) => deps.jobs.update(requireCtx(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/jobs/:id/pipeline',
    {
      schema: { operationId: 'getJobPipeline', tags: ['jobs'], params: IdParams, response: { 200: Type.Object({ stages: Type.Array(Stage) }), ...Errors } },
      config: { access: { permission: 'jobs:read' } },
    },
    async (request) => ({ stages: await deps.jobs.pipeline(requireCtx(request), request.params.id) }),
  );

  app.put(
    '/api/v1/jobs/:id/pipeline',
    {
      schema: { operationId: 'setJobPipeline', tags: ['jobs'], params: IdParams, body: PipelineBody, response: { 200: Type.Object({ stages: Type.Array(Stage) }), ...Errors } },
      config: { access: { permission: 'jobs:write' } },
    },
    async (request) => ({ stages: await deps.jobs.setPipeline(requireCtx(request), request.params.id, request.body) }),
  );

  app.get(
    '/api/v1/pipeline',
    {
      schema: {
        operationId: 'getDefaultPipeline',
        tags: ['jobs'],
        description: "The org's default pipeline: every job without its own pipeline (and every new job) uses it.",
        response: { 200: Type.Object({ stages: Type.Array(Stage) }), ...Errors },
      },
      config: { access: { permission: 'jobs:read' } },
    },
    async (request) => ({ stages: await deps.jobs.defaultPipeline(requireCtx(request)) }),
  );

  app.put(
    '/api/v1/pipeline',
    {
      schema: {
        operationId: 'setDefaultPipeline',
        tags: ['jobs'],
        description:
          'Replaces the org default pipeline (rename, add, reorder; keep ids of kept stages). Needs stages of kind new (first), rejected and hired. A removed stage holding applications needs a remap entry, else 409.',
        body: PipelineBody,
        response: { 200: Type.Object({ stages: Type.Array(Stage) }), ...Errors },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => ({ stages: await deps.jobs.setDefaultPipeline(requireCtx(request), request.body) }),
  );
}
