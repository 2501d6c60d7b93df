import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ValidationError } from '../../core/errors.js';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { CandidateSchema } from '../candidates/index.js';
import { IdParams } from '../../core/schemas.js';
import { StageKindSchema } from '../jobs/index.js';
import { readApplicationForm } from './form.js';
import type { ApplicationService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Errors = { ...ProblemResponses, 409: Problem, 413: Problem, 415: Problem, 422: Problem, 503: Problem };
const StageRef = Type.Object({ id: Uuid, name: Type.String(), kind: Type.String() });

const SubmitResult = Type.Object({
  applicationId: Uuid,
  candidateId: Uuid,
  documentId: Uuid,
  merged: Type.Boolean(),
  duplicateFile: Type.Boolean(),
  sameFileOtherCandidates: Type.Integer(),
});

const Decision = Type.Object({
  id: Uuid,
  applicationId: Type.Optional(Uuid),
  decidedBy: Uuid,
  outcome: Type.String(),
  reason: Type.String(),
  followedAi: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'Derived at decision time from the latest AI recommendation and the outcome: true = same direction, false = opposite, null = not applicable (no AI recommendation, "review", a hold, or a human-only application).',
  }),
  aiRecommendation: Type.Union([Type.String(), Type.Null()], { description: 'The latest AI recommendation when the decision was made, if any.' }),
  fromStageId: Type.Union([Uuid, Type.Null()]),
  toStageId: Type.Union([Uuid, Type.Null()]),
  at: Type.String(),
});

const Note = Type.Object({ id: Uuid, kind: Type.String(), authorId: Uuid, rating: Type.Union([Type.Integer(), Type.Null()]), body: Type.String(), at: Type.String() });

const Application = Type.Object({
  id: Uuid,
  jobId: Uuid,
  source: Type.String(),
  tags: Type.Array(Type.String()),
  stage: StageRef,
  pipeline: Type.Array(StageRef),
  consent: Type.Union([
    Type.Object({ noticeVersion: Type.String(), noticeRevision: Type.Union([Type.Integer(), Type.Null()]), language: Type.Union([Type.String(), Type.Null()], { description: 'The language the notice was shown in (issue 22); null before languages were recorded.' }), consentedAt: Type.Union([Type.String(), Type.Null()]) }),
    Type.Null(),
  ]),
  humanReviewOnly: Type.Boolean({ description: 'The candidate chose a review by a person without AI screening: never sent to a model.' }),
  answers: Type.Union(
    [
      Type.Object({
        questionsVersion: Type.Integer({ description: 'The version of the job\'s questions the candidate answered (consent records it too).' }),
        knockedOut: Type.Boolean({ description: 'A knock-out rule matched: the application needs human review (never rejected without a member\'s decision).' }),
        items: Type.Array(
          Type.Object({
            id: Type.String(),
            label: Type.String(),
            type: Type.String(),
            answer: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String()), Type.Null()]),
            text: Type.Union([Type.String(), Type.Null()]),
            knockout: Type.Boolean({ description: 'This answer matched the question\'s knock-out rule.' }),
          }),
        ),
        at: Type.String(),
      }),
      Type.Null(),
    ],
    { description: 'Answers to the job\'s application questions (decrypted with the candidate key); null when none were asked.' },
  ),
  candidate: CandidateSchema,
  documents: Type.Array(
    Type.Object({
      id: Uuid,
      mediaType: Type.String(),
      sizeBytes: Type.Integer(),
      sha256: Type.String(),
      filename: Type.Union([Type.String(), Type.Null()]),
      parseStatus: Type.String(),
      parseError: Type.Union([Type.String(), Type.Null()]),
      parseAttempts: Type.Integer(),
      textChars: Type.Union([Type.Integer(), Type.Null()]),
      text: Type.Union([Type.String(), Type.Null()]),
      createdAt: Type.String(),
    }),
  ),
  timeline: Type.Array(Type.Object({ id: Uuid, type: Type.String(), actorType: Type.String(), actorId: Type.Union([Uuid, Type.Null()]), data: Type.Record(Type.String(), Type.Unknown()), at: Type.String() })),
  notes: Type.Array(Note),
  decisions: Type.Array(Decision),
  screening: Type.Null(),
  /** Public re-submissions waiting for the candidate's confirmation by mail; they change nothing until confirmed. */
  pendingResubmissions: Type.Array(Type.Object({ id: Uuid, mediaType: Type.String(), sizeBytes: Type.Integer(), createdAt: Type.String(), expiresAt: Type.String() })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** Triage filters shared by the list and the per-stage counts (issue 21). */
const TriageQueryFields = {
  recommendation: Type.Optional(Type.Union([Type.Literal('advance'), Type.Literal('review'), Type.Literal('not_advance'), Type.Literal('none')], { description: 'none: not (yet) screened.' })),
  flag: Type.Optional(
    Type.Array(Type.Union([Type.Literal('injection'), Type.Literal('insufficient_evidence'), Type.Literal('ai_free'), Type.Literal('knockout')]), { maxItems: 4, uniqueItems: true, description: 'Repeatable; every flag given must apply.' }),
  ),
};

const ListQuery = Type.Object(
  {
    stageKind: Type.Optional(StageKindSchema),
    stageId: Type.Optional(Uuid),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Candidate search: name words (accents and case ignored; a word of up to 10 characters also matches as a prefix, at least 2), or a full email address (exact).',
      }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
    ...TriageQueryFields,
    sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('oldest'), Type.Literal('score')], { description: 'newest first (default), oldest first, or by the AI\'s overall score (highest first, unscored last).' })),
  },
  { additionalProperties: false },
);

const TriageFlagSchema = Type.Union([Type.Literal('injection'), Type.Literal('insufficient_evidence'), Type.Literal('ai_free'), Type.Literal('knockout')]);
const ApplicationListItem = Type.Object({
  id: Uuid,
  candidateId: Uuid,
  candidateName: Type.Union([Type.String(), Type.Null()]),
  stage: StageRef,
  tags: Type.Array(Type.String()),
  source: Type.String(),
  humanReviewOnly: Type.Boolean(),
  recommendation: Type.Union([Type.String(), Type.Null()], { description: 'The latest completed AI screening\'s (advisory) recommendation.' }),
  overallScore: Type.Union([Type.Integer(), Type.Null()], { description: '0-100, from the latest completed AI screening.' }),
  flags: Type.Array(TriageFlagSchema, { description: 'injection (the CV looks like it instructs the AI), insufficient_evidence (scores or must-haves without grounded quotes), ai_free (the candidate chose a review without AI), knockout (an application question\'s knock-out rule matched: needs human review; never rejected automatically).' }),
  interviewStatus: Type.Union([Type.String(), Type.Null()], { description: 'Status of the latest AI interview, if any.' }),
  createdAt: Type.String(),
});

const Reason = Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' });
const Tag = Type.String({ minLength: 1, maxLength: 50, pattern: '^[\\p{L}\\p{N} _.-]+$' });

export async function applicationRoutes(fastify: FastifyInstance, deps: { applications: ApplicationService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { applications } = deps;

  app.post(
    '/api/v1/jobs/:id/applications',
    {
      schema: {
        operationId: 'uploadApplication',
        tags: ['applications'],
        description:
          'multipart/form-data: file field "cv" (PDF, DOCX or plain text, at most 10 MB; checked by content) and fields name, email, phone?, location?, links (repeatable). Same email + job merges into the existing application.',
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: SubmitResult, 200: SubmitResult, ...Errors },
      },
      config: { access: { permission: 'candidates:write' } },
    },
    async (request, reply) => {
      const ctx = requireCtx(request);
      const jobId = request.params.id;
      await applications.jobForUpload(ctx, jobId);
      const form = await readApplicationForm(request, []);
      // Application questions are the candidate's own answers, asked on the public apply page only.
      const answered = Object.keys(form.answers);
      if (answered.length > 0) throw new ValidationError([{ path: `body/answers.${(answered[0] as string).slice(0, 60)}`, message: 'is not an accepted field (questions are answered by the candidate on the apply page)' }]);
      const result = await applications.submit(
        ctx.orgId,
        jobId,
        { candidate: form.candidate, file: form.file, source: 'upload', noticeVersion: null },
        { type: 'user', id: ctx.userId },
        request.id,
      );
      return reply.code(result.merged ? 200 : 201).send(result);
    },
  );

  app.get(
    '/api/v1/jobs/:id/applications',
    {
      schema: {
        operationId: 'listJobApplications',
        tags: ['applications'],
        params: IdParams,
        querystring: ListQuery,
        response: {
          200: Type.Object({
            applications: Type.Array(ApplicationListItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...Errors,
        },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => applications.listForJob(requireCtx(request), request.params.id, request.query),
  );

  app.get(
    '/api/v1/jobs/:id/applications/counts',
    {
      schema: {
        operationId: 'countJobApplicationsByStage',
        tags: ['applications'],
        description: 'Applications per stage of the job\'s pipeline under the same triage filters as the list (stage tabs, board columns).',
        params: IdParams,
        querystring: Type.Object(TriageQueryFields, { additionalProperties: false }),
        response: {
          200: Type.Object({ total: Type.Integer(), stages: Type.Array(Type.Object({ stageId: Uuid, name: Type.String(), kind: Type.String(), count: Type.Integer() })) }),
          ...Errors,
        },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => applications.countByStage(requireCtx(request), request.params.id, request.query),
  );

  app.get(
    '/api/v1/applications/:id',
    {
      schema: { operationId: 'getApplication', tags: ['applications'], params: IdParams, response: { 200: Application, ...Errors } },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => applications.get(requireCtx(request), request.params.id),
  );

  app.post(
    '/api/v1/applications/:id/notes',
    {
      schema: {
        operationId: 'addApplicationNote',
        tags: ['applications'],
        params: IdParams,
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('note'), Type.Literal('feedback')], { default: 'note' }),
            body: Type.String({ minLength: 1, maxLength: 10000, pattern: '\\S' }),
            rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Note, ...Errors },
      },
      config: { access: { permission: 'applications:feedback' } },
    },
    async (request, reply) => {
      const note = await applications.addNote(requireCtx(request), request.params.id, request.body);
      return reply.code(201).send(note);
    },
  );

  app.post(
    '/api/v1/applications/:id/stage',
    {
      schema: {
        operationId: 'moveApplicationStage',
        tags: ['applications'],
        params: IdParams,
        body: Type.Object({ stageId: Uuid }, { additionalProperties: false }),
        response: { 200: Type.Object({ stage: StageRef }), ...Errors },
      },
      config: { access: { permission: 'candidates:write' } },
    },
    async (request) => ({ stage: await applications.moveStage(requireCtx(request), request.params.id, request.body.stageId) }),
  );

  app.post(
    '/api/v1/applications/:id/decision',
    {
      schema: {
        operationId: 'decideApplication',
        tags: ['applications'],
        description:
          'Records a human decision (who, when, outcome, reason) and moves the application accordingly. Whether it followed the AI is derived from the latest AI recommendation; a "followedAi" sent by an older client is ignored (removed like any unknown field), the reason stays the recruiter\'s note.',
        params: IdParams,
        body: Type.Object(
          {
            outcome: Type.Union([Type.Literal('advance'), Type.Literal('reject'), Type.Literal('hire'), Type.Literal('hold')]),
            reason: Reason,
            toStageId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 201: Decision, ...Errors },
      },
      config: { access: { permission: 'applications:decide' } },
    },
    async (request, reply) => {
      const body = request.body;
      return reply.code(201).send(await applications.decide(requireCtx(request), request.params.id, body));
    },
  );

  app.post(
    '/api/v1/applications/bulk',
    {
      schema: {
        operationId: 'bulkApplications',
        tags: ['applications'],
        description: 'Move, tag or reject many applications at once. Rejecting answers 409 with the count until repeated with "confirm": true.',
        body: Type.Object(
          {
            action: Type.Union([Type.Literal('move'), Type.Literal('tag'), Type.Literal('reject')]),
            applicationIds: Type.Array(Uuid, { minItems: 1, maxItems: 200 }),
            stageId: Type.Optional(Uuid),
            tag: Type.Optional(Tag),
            reason: Type.Optional(Reason),
            confirm: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ action: Type.String(), count: Type.Integer() }), ...Errors },
      },
      config: { access: { permission: 'candidates:write' } },
    },
    async (request) => applications.bulk(requireCtx(request), request.body),
  );
}
