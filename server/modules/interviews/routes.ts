// Recruiter API for interviews and the candidate's invitation page (/i/:token).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../plugins/schemas.js';
import { IdParams } from '../jobs/schemas.js';
import { renderAnswered, renderInvitePage } from './html.js';
import type { InterviewService } from './service.js';
import { ScoringSchema } from './score-view.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Interview = Type.Object({
  id: Uuid,
  applicationId: Uuid,
  jobId: Uuid,
  status: Type.String(),
  mode: Type.String(),
  questions: Type.Array(Type.String()),
  maxDurationSeconds: Type.Integer(),
  language: Type.String(),
  invite: Type.Object({ expiresAt: Type.String(), usedAt: Nullable(Type.String()), revokedAt: Nullable(Type.String()) }),
  consent: Nullable(Type.Object({ noticeVersion: Type.String(), consentedAt: Nullable(Type.String()), recording: Nullable(Type.Boolean()) })),
  humanRequestedAt: Nullable(Type.String()),
  declinedAt: Nullable(Type.String()),
  call: Type.Object({
    id: Nullable(Type.String()),
    status: Nullable(Type.String()),
    endedReason: Nullable(Type.String()),
    error: Nullable(Type.String()),
    reportReceivedAt: Nullable(Type.String()),
    reconciledAt: Nullable(Type.String()),
  }),
  transcript: Nullable(Type.String()),
  recordingRef: Nullable(Type.String()),
  scoring: Nullable(ScoringSchema),
  createdAt: Type.String(),
});
const Errors = { ...ProblemResponses, 409: Problem, 422: Problem, 503: Problem };
const TokenParams = Type.Object({ token: Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });
const VapiId = Type.Union([Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }), Type.Null()]);

export async function interviewApiRoutes(app: FastifyInstance, deps: { interviews: InterviewService }): Promise<void> {
  const { interviews } = deps;

  app.post(
    '/api/v1/applications/:id/interviews',
    {
      schema: {
        operationId: 'createInterview',
        tags: ['interviews'],
        description: 'Creates an AI voice interview for the application and mails the candidate a single-use invitation link.',
        params: IdParams,
        body: Type.Object(
          {
            questions: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 500 }), { minItems: 1, maxItems: 20 })),
            maxDurationSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 3600 })),
            language: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Interview, ...Errors },
      },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { questions?: string[]; maxDurationSeconds?: number; language?: string };
      return reply.code(201).send(await interviews.create(requireCtx(request), (request.params as { id: string }).id, body));
    },
  );

  app.get(
    '/api/v1/interviews/settings',
    {
      schema: { operationId: 'getInterviewSettings', tags: ['interviews'], response: { 200: Type.Object({ assistantId: VapiId, phoneNumberId: VapiId }), ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => interviews.settings(requireCtx(request)),
  );

  app.put(
    '/api/v1/interviews/settings',
    {
      schema: {
        operationId: 'saveInterviewSettings',
        tags: ['interviews'],
        body: Type.Object({ assistantId: VapiId, phoneNumberId: VapiId }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...ProblemResponses },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request, reply) => {
      await interviews.saveSettings(requireCtx(request), request.body as { assistantId: string | null; phoneNumberId: string | null });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/interviews/:id',
    {
      schema: { operationId: 'getInterview', tags: ['interviews'], params: IdParams, response: { 200: Interview, ...Errors } },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => interviews.get(requireCtx(request), (request.params as { id: string }).id),
  );

  app.post(
    '/api/v1/interviews/:id/revoke',
    {
      schema: { operationId: 'revokeInterviewInvite', tags: ['interviews'], params: IdParams, response: { 204: Type.Null(), ...Errors } },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request, reply) => {
      await interviews.revoke(requireCtx(request), (request.params as { id: string }).id);
      return reply.code(204).send();
    },
  );
}

export async function invitePageRoutes(app: FastifyInstance, deps: { interviews: InterviewService }): Promise<void> {
  const { interviews } = deps;
  // Scoped: the invitation form posts urlencoded; nothing else in the app accepts it.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.get(
    '/i/:token',
    {
      schema: { operationId: 'interviewInvitePage', tags: ['public'], params: TokenParams, response: { 200: Type.String(), 400: Problem, 404: Problem } },
      config: { access: { public: 'candidate interview invitation (token is the credential)' }, rateLimit: { max: 60, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const p = await interviews.invitePage(token);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderInvitePage({ ...p, token }));
    },
  );

  app.post(
    '/i/:token',
    {
      schema: {
        operationId: 'answerInterviewInvite',
        tags: ['public'],
        params: TokenParams,
        body: Type.Object(
          {
            action: Type.Union([Type.Literal('consent'), Type.Literal('human'), Type.Literal('decline')]),
            noticeVersion: Type.Optional(Type.String({ maxLength: 20 })),
            phone: Type.Optional(Type.String({ maxLength: 32 })),
            phoneConfirmed: Type.Optional(Type.Boolean()),
            recordingConsent: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Union([Type.Object({ status: Type.String() }), Type.String()]), 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem, 429: Problem },
      },
      config: { access: { public: 'candidate answers the interview invitation' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const page = await interviews.invitePage(token);
      const result = await interviews.answer(token, request.body as Parameters<InterviewService['answer']>[1], request.id);
      const accept = request.headers.accept ?? '';
      if (accept.includes('text/html') && !accept.includes('application/json')) {
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderAnswered(result.status, page.orgName));
      }
      return result;
    },
  );
}
