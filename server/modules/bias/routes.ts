// HTTP for bias monitoring (DESIGN §8): the report (admins and auditors, bias:read) and the
// org's thresholds (admins, settings:manage). The daily monitor runs in the worker
// (queue bias-monitor) and the CLI prints the same report (`hirebox bias report`).
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import type { BiasService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const MetricFields = {
  assessed: Type.Integer(),
  selected: Type.Integer(),
  rate: Nullable(Type.Number()),
  impactRatio: Nullable(Type.Number()),
  smallSample: Type.Boolean(),
  flagged: Type.Boolean(),
};
const Metric = Type.Object(MetricFields);
const StepMetric = Type.Object({ ...MetricFields, pending: Type.Integer({ description: 'Applications not yet assessed at this step (in progress or withdrawn): not in the rate.' }) });

const Thresholds = {
  impactRatioThreshold: Type.Number({ minimum: 0.5, maximum: 1, description: 'Impact ratio under which a category is flagged (default 0.8, the four-fifths rule).' }),
  minSampleSize: Type.Integer({ minimum: 1, maximum: 1000, description: 'Categories with fewer people are small-sample (default 5).' }),
  minSampleShare: Type.Number({ minimum: 0, maximum: 0.2, description: 'Categories under this share of the assessed people are small-sample (default 0.02: LL144 allows leaving out categories under 2%).' }),
};

export const BiasReportSchema = Type.Object({
  orgId: Uuid,
  job: Nullable(Type.Object({ id: Uuid, title: Type.String() })),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  generatedAt: Type.String(),
  settings: Type.Object({ impactRatioThreshold: Type.Number(), minSampleSize: Type.Integer(), minSampleShare: Type.Number() }),
  totals: Type.Object({
    applications: Type.Integer(),
    withDemographics: Type.Integer(),
    erasedExcluded: Type.Integer({ description: 'Applications of erased candidates (retention or erasure request) in the window: their demographics are gone, so they are not in the report.' }),
    scored: Type.Integer(),
    humanReviewOnly: Type.Integer({ description: 'Applications whose candidate chose a review by a person without AI screening (counted in selection rates, never scored).' }),
    knockoutAssessed: Type.Integer({ description: 'Applications that answered a question set with knock-out rules (issue 21 item 5).' }),
    knockedOut: Type.Integer({ description: 'Of those, how many a knock-out rule flagged for human review.' }),
  }),
  dimensions: Type.Array(
    Type.Object({
      key: Type.String(),
      label: Type.String(),
      unknown: Type.Integer({ description: 'Applicants who declined or skipped this question (count only).' }),
      categories: Type.Array(
        Type.Object({
          category: Type.String(),
          grouped: Type.Boolean({ description: 'Answers given by fewer than 3 people, pooled.' }),
          applicants: Type.Integer(),
          advanced: StepMetric,
          hired: StepMetric,
          scoring: Metric,
          knockout: Type.Object(MetricFields, { description: 'Passed the knock-out rules of the application questions (selected) vs flagged for human review by one (not selected); only applications to a question set with knock-out rules are assessed.' }),
        }),
      ),
    }),
  ),
  breaches: Type.Array(Type.Object({ dimension: Type.String(), category: Type.String(), metric: Type.Union([Type.Literal('advanced'), Type.Literal('hired'), Type.Literal('scoring'), Type.Literal('knockout')]), impactRatio: Type.Number() })),
  method: Type.Record(Type.String(), Type.String()),
});

const BiasSettings = Type.Object({
  impactRatioThreshold: Type.Number(),
  minSampleSize: Type.Integer(),
  minSampleShare: Type.Number(),
  defaults: Type.Object({ impactRatioThreshold: Type.Number(), minSampleSize: Type.Integer(), minSampleShare: Type.Number() }),
  updatedAt: Nullable(Type.String()),
  updatedBy: Nullable(Uuid),
});

// Dates as YYYY-MM-DD or an ISO 8601 date-time; the service checks they parse and from < to.
const DateParam = Type.String({ minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:\\d{2})?)?$' });

export async function biasRoutes(fastify: FastifyInstance, deps: { bias: BiasService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/bias/report',
    {
      schema: {
        operationId: 'getBiasReport',
        tags: ['fairness'],
        description:
          'Selection rates, AI scoring rates and impact ratios by self-identified demographic category (NYC LL144 method), for one job or the whole org. Aggregates only; every view is audited.',
        querystring: Type.Object(
          {
            jobId: Type.Optional(Uuid),
            from: Type.Optional(DateParam),
            to: Type.Optional(DateParam),
          },
          { additionalProperties: false },
        ),
        response: { 200: BiasReportSchema, ...ProblemResponses },
      },
      config: { access: { permission: 'bias:read' } },
    },
    async (request) => deps.bias.report(requireCtx(request), request.query),
  );

  app.get(
    '/api/v1/bias/jobs',
    {
      schema: {
        operationId: 'listBiasReportJobs',
        tags: ['fairness'],
        description: 'Jobs with applications, for choosing a per-job report (ids and titles only).',
        response: { 200: Type.Object({ jobs: Type.Array(Type.Object({ id: Uuid, title: Type.String() })) }), ...ProblemResponses },
      },
      config: { access: { permission: 'bias:read' } },
    },
    async (request) => ({ jobs: await deps.bias.jobs(requireCtx(request)) }),
  );

  app.get(
    '/api/v1/org/bias-settings',
    {
      schema: { operationId: 'getBiasSettings', tags: ['fairness'], description: "The org's bias report thresholds.", response: { 200: BiasSettings, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.bias.settings(requireCtx(request)),
  );

  app.put(
    '/api/v1/org/bias-settings',
    {
      schema: {
        operationId: 'updateBiasSettings',
        tags: ['fairness'],
        body: Type.Object(Thresholds, { additionalProperties: false }),
        response: { 200: BiasSettings, ...ProblemResponses, 413: Problem },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.bias.updateSettings(requireCtx(request), request.body),
  );
}
