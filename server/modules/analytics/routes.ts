// HTTP for hiring analytics (issue 21 item 3): the report as JSON and as CSV, for one job or
// the whole org (analytics:read: admins, recruiters and auditors).
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses, Uuid } from '../../core/schemas.js';
import { analyticsCsv, type AnalyticsService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendRaw } from '../../plugins/route-types.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Suppressible = Type.Object({
  value: Nullable(Type.Number()),
  n: Type.Integer({ description: 'Applications or decisions the figure is computed from.' }),
  suppressed: Type.Boolean({ description: 'Fewer than the minimum sample size: the value is not shown.' }),
});
const SourceRow = Type.Object({ source: Type.String(), pooled: Type.Boolean(), applications: Type.Integer(), hired: Type.Integer() });
const Figures = Type.Object({
  applications: Type.Integer(),
  funnel: Type.Array(Type.Object({ kind: Type.String(), reached: Type.Integer(), conversionFromPrevious: Nullable(Type.Number()) })),
  outcomes: Type.Object({ rejected: Type.Integer(), withdrawn: Type.Integer(), inProgress: Type.Integer(), hired: Type.Integer() }),
  timeInStageDays: Type.Array(Type.Object({ kind: Type.String(), median: Suppressible })),
  timeToHireDays: Suppressible,
  agreement: Type.Object({ compared: Type.Integer(), agreed: Type.Integer(), rate: Suppressible, excludedReview: Type.Integer(), excludedHold: Type.Integer() }),
  sources: Type.Array(SourceRow),
  campaigns: Type.Array(SourceRow),
});
const JobRef = Type.Object({ id: Uuid, title: Type.String() });
export const AnalyticsReportSchema = Type.Object({
  orgId: Uuid,
  job: Nullable(JobRef),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  generatedAt: Type.String(),
  minSampleSize: Type.Integer(),
  figures: Figures,
  byJob: Type.Array(Type.Object({ job: JobRef, figures: Figures })),
  method: Type.Record(Type.String(), Type.String()),
});

const DateParam = Type.String({ minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:\\d{2})?)?$' });
const Query = Type.Object({ jobId: Type.Optional(Uuid), from: Type.Optional(DateParam), to: Type.Optional(DateParam) }, { additionalProperties: false });

export async function analyticsRoutes(fastify: FastifyInstance, deps: { analytics: AnalyticsService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/analytics/report',
    {
      schema: {
        operationId: 'getHiringAnalytics',
        tags: ['analytics'],
        description: 'Funnel by stage, time in stage, time to hire and AI-recommendation vs human-decision agreement, for one job or the whole org (with a per-job breakdown). Small cells are suppressed.',
        querystring: Query,
        response: { 200: AnalyticsReportSchema, ...ProblemResponses },
      },
      config: { access: { permission: 'analytics:read' } },
    },
    async (request) => deps.analytics.report(requireCtx(request), request.query),
  );

  app.get(
    '/api/v1/analytics/report.csv',
    {
      schema: { operationId: 'exportHiringAnalyticsCsv', tags: ['analytics'], description: 'The analytics report as CSV (cells starting with = + - @ are neutralised).', querystring: Query, response: { ...ProblemResponses } },
      config: { access: { permission: 'analytics:read' } },
    },
    async (request, reply) => {
      const report = await deps.analytics.report(requireCtx(request), request.query);
      return sendRaw(reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="hiring-analytics.csv"').header('cache-control', 'no-store'), analyticsCsv(report));
    },
  );
}
