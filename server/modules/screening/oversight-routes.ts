// HTTP for oversight of AI-assisted outcomes: explicit rescreening (one application or a
// whole job), the candidate-facing explanation (JSON or plain text, audited as an export),
// contest links and the public contest page (/contest/:token), contests relayed by a
// member, and the review tasks they open.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { renderContestPage, renderContestReceived } from './contest-html.js';
import { candidateTranslator } from '../../plugins/locale.js';
import { CONTEST_REASON_MAX, renderExplanationText, type ScreeningOversight } from './oversight.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Errors = { ...ProblemResponses, 409: Problem, 410: Problem, 503: Problem };
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const TokenParams = Type.Object({ token: Type.String({ minLength: 43, maxLength: 43, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });
const Reason = Type.String({ minLength: 1, maxLength: CONTEST_REASON_MAX, pattern: '\\S' });
/** Small bodies only: a contest reason is at most 4,000 characters (UTF-8 up to 4 bytes each). */
const CONTEST_BODY_LIMIT = 20 * 1024;

const RescreenOne = Type.Object({
  applicationId: Uuid,
  status: Type.String(),
  screeningId: Type.Optional(Uuid),
  criteriaVersion: Type.Optional(Type.Integer()),
  generation: Type.Optional(Type.Integer()),
  previousScreeningId: Type.Optional(Nullable(Uuid)),
  waitingFor: Nullable(Type.String()),
});

const RescreenJob = Type.Object({
  jobId: Uuid,
  criteriaVersion: Type.Integer(),
  onlyStale: Type.Boolean(),
  queued: Type.Integer(),
  alreadyQueued: Type.Integer(),
  upToDate: Type.Integer(),
  noParsedCv: Type.Integer(),
  humanReviewOnly: Type.Integer({ description: 'Applications whose candidate chose a review without AI: never re-screened.' }),
  waitingFor: Nullable(Type.String()),
  applications: Type.Array(Type.Object({ applicationId: Uuid, status: Type.String(), screeningId: Nullable(Uuid) })),
});

const Explanation = Type.Object({
  applicationId: Uuid,
  jobTitle: Type.String(),
  locale: Type.String({ description: 'The language the candidate applied in (else the job’s): format=text is written in it.' }),
  timeZone: Nullable(Type.String()),
  generatedAt: Type.String(),
  aiAssisted: Type.Boolean(),
  advisoryNotice: Type.String(),
  screening: Nullable(
    Type.Object({
      screenedAt: Type.String(),
      criteriaVersion: Type.Integer(),
      model: Nullable(Type.String()),
      promptVersion: Nullable(Type.String()),
      simulated: Type.Boolean(),
      aiRecommendation: Nullable(Type.String()),
      aiRecommendationIsAdvisory: Type.Literal(true),
      overallScore: Nullable(Type.Integer()),
      summary: Type.String(),
      criteria: Type.Array(
        Type.Object({
          name: Type.String(),
          mustHave: Type.Boolean(),
          weight: Type.Number(),
          score: Type.Integer(),
          maxScore: Type.Integer(),
          verdict: Type.String(),
          reasoning: Type.String(),
          evidence: Type.Array(Type.Object({ quote: Type.String(), foundInCv: Type.Boolean() })),
        }),
      ),
      flags: Type.Array(Type.String()),
    }),
  ),
  decision: Nullable(
    Type.Object({
      outcome: Type.String(),
      reason: Type.String(),
      decidedAt: Type.String(),
      decidedBy: Type.Object({ name: Nullable(Type.String()), role: Nullable(Type.String()) }),
      followedAiRecommendation: Nullable(Type.Boolean()),
    }),
  ),
});

const ReviewTask = Type.Object({
  id: Uuid,
  kind: Type.String(),
  applicationId: Uuid,
  jobId: Uuid,
  jobTitle: Type.String(),
  openedVia: Type.String(),
  openedBy: Nullable(Uuid),
  reason: Nullable(Type.String()),
  status: Type.String(),
  resolution: Nullable(Type.String()),
  resolutionNote: Nullable(Type.String()),
  resolvedBy: Nullable(Uuid),
  resolvedAt: Nullable(Type.String()),
  createdAt: Type.String(),
});

function wantsHtml(accept: string | undefined): boolean {
  const a = accept ?? '';
  return a.includes('text/html') && !a.includes('application/json');
}

export async function oversightRoutes(fastify: FastifyInstance, deps: { oversight: ScreeningOversight }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { oversight } = deps;
  // Scoped to this plugin: the contest form posts urlencoded; nothing else here accepts it.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: CONTEST_BODY_LIMIT }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.post(
    '/api/v1/applications/:id/screening/rescreen',
    {
      schema: {
        operationId: 'rescreenApplication',
        tags: ['screening'],
        description: "Queues a new screening of the application's latest parsed CV against the job's current criteria. Earlier screenings stay as history. Waits while AI is paused or the budget is used up.",
        params: IdParams,
        response: { 202: RescreenOne, ...Errors },
      },
      config: { access: { permission: 'screening:run' } },
    },
    async (request, reply) => reply.code(202).send(await oversight.rescreenApplication(requireCtx(request), request.params.id)),
  );

  app.post(
    '/api/v1/jobs/:id/rescreen',
    {
      // The body is optional: a POST without one means the defaults.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
      schema: {
        operationId: 'rescreenJob',
        tags: ['screening'],
        description: 'Queues new screenings for the applications of a job still in play. onlyStale (default true) skips applications already screened against the current criteria.',
        params: IdParams,
        body: Type.Object({ onlyStale: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 202: RescreenJob, ...Errors },
      },
      config: { access: { permission: 'screening:run' } },
    },
    async (request, reply) => {
      const body = request.body;
      return reply.code(202).send(await oversight.rescreenJob(requireCtx(request), request.params.id, body.onlyStale ?? true));
    },
  );

  app.get(
    '/api/v1/applications/:id/explanation',
    {
      schema: {
        operationId: 'getApplicationExplanation',
        tags: ['screening'],
        description: 'Plain-language explanation of an AI-assisted outcome for the candidate (criteria, evidence from their CV, scores, the advisory AI recommendation, the human decision). format=text gives text/markdown. Audited as an export.',
        params: IdParams,
        querystring: Type.Object({ format: Type.Union([Type.Literal('json'), Type.Literal('text')], { default: 'json' }) }, { additionalProperties: false }),
        response: { 200: Type.Union([Explanation, Type.String()]), ...Errors },
      },
      config: { access: { permission: 'screening:run' } },
    },
    async (request, reply) => {
      const explanation = await oversight.explanation(requireCtx(request), request.params.id);
      reply.header('cache-control', 'no-store');
      if (request.query.format === 'text') {
        return reply.type('text/markdown; charset=utf-8').header('content-disposition', 'inline; filename="explanation.md"').send(renderExplanationText(explanation));
      }
      return explanation;
    },
  );

  app.post(
    '/api/v1/applications/:id/contest-link',
    {
      schema: {
        operationId: 'createContestLink',
        tags: ['screening'],
        description: `A single-use link (valid ${30} days) the candidate can use to contest the outcome; include messageText in the decision message. The token is shown once and stored hashed.`,
        params: IdParams,
        response: { 201: Type.Object({ id: Uuid, url: Type.String(), expiresAt: Type.String(), messageText: Type.String() }), ...Errors },
      },
      config: { access: { permission: 'applications:decide' } },
    },
    async (request, reply) => reply.code(201).send(await oversight.createContestLink(requireCtx(request), request.params.id)),
  );

  app.post(
    '/api/v1/applications/:id/contest',
    {
      bodyLimit: CONTEST_BODY_LIMIT,
      schema: {
        operationId: 'contestOnBehalf',
        tags: ['screening'],
        description: "Opens a human review task for the candidate's contest of the outcome (e.g. they wrote to a recruiter). The reason is stored encrypted.",
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 201: Type.Object({ reviewTaskId: Uuid, status: Type.String() }), ...Errors, 413: Problem },
      },
      config: { access: { permission: 'applications:decide' } },
    },
    async (request, reply) => reply.code(201).send(await oversight.contestOnBehalf(requireCtx(request), request.params.id, request.body.reason)),
  );

  app.get(
    '/api/v1/review-tasks',
    {
      schema: {
        operationId: 'listReviewTasks',
        tags: ['screening'],
        querystring: Type.Object(
          { status: Type.Union([Type.Literal('open'), Type.Literal('resolved')], { default: 'open' }), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ tasks: Type.Array(ReviewTask) }), ...Errors },
      },
      config: { access: { permission: 'applications:decide' } },
    },
    async (request) => {
      const q = request.query;
      return oversight.listTasks(requireCtx(request), q.status, q.limit);
    },
  );

  app.post(
    '/api/v1/review-tasks/:id/resolve',
    {
      schema: {
        operationId: 'resolveReviewTask',
        tags: ['screening'],
        description: 'A person records the outcome of the review: upheld (the decision stands) or changed (record the new decision on the application). The note is stored encrypted.',
        params: IdParams,
        body: Type.Object(
          { resolution: Type.Union([Type.Literal('upheld'), Type.Literal('changed')]), note: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) },
          { additionalProperties: false },
        ),
        response: { 200: ReviewTask, ...Errors },
      },
      config: { access: { permission: 'applications:decide' } },
    },
    async (request) => oversight.resolveTask(requireCtx(request), request.params.id, request.body),
  );

  app.get(
    '/contest/:token',
    {
      schema: { operationId: 'contestPage', tags: ['public'], params: TokenParams, response: { 200: Type.String(), 400: Problem, 404: Problem, 410: Type.String(), 429: Problem } },
      config: { access: { public: 'candidate contest page (the token is the credential)' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      const p = await oversight.contestPage(token);
      const tr = candidateTranslator(request, reply, { content: p.locale, timeZone: p.timeZone });
      return reply
        .code(p.state === 'open' ? 200 : 410)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(renderContestPage({ ...p, token }, tr, request.url));
    },
  );

  app.post(
    '/contest/:token',
    {
      bodyLimit: CONTEST_BODY_LIMIT,
      schema: {
        operationId: 'submitContest',
        tags: ['public'],
        params: TokenParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 201: Type.Union([Type.Object({ reviewTaskId: Uuid, status: Type.String() }), Type.String()]), 400: Problem, 404: Problem, 409: Problem, 410: Problem, 413: Problem, 415: Problem, 429: Problem },
      },
      config: { access: { public: 'candidate contests an outcome (the token is the credential)' }, rateLimit: { max: 5, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      const result = await oversight.contestWithLink(token, request.body.reason);
      reply.code(201).header('cache-control', 'no-store');
      if (wantsHtml(request.headers.accept)) {
        const page = await oversight.contestPage(token);
        return reply.type('text/html; charset=utf-8').send(renderContestReceived(page.orgName, candidateTranslator(request, reply, { content: page.locale, timeZone: page.timeZone })));
      }
      return result;
    },
  );
}
