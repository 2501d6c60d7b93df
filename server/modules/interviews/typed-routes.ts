// Typed interviews and accommodation requests: the candidate's endpoints under /i/:token
// (the token is the credential) and the recruiter's view and resolution of requests.
// Registered inside invitePageRoutes' scope, which parses the page's urlencoded forms.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Translator } from '../../core/i18n/translator.js';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { IdParams } from '../../core/schemas.js';
import { ACCOMMODATION_NOTE_MAX, type AccommodationService } from './accommodations.js';
import { renderAccommodationRequested } from './typed-html.js';
import { TYPED_ANSWER_MAX, type TypedInterviewService } from './typed.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const TokenParams = Type.Object({ token: Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const TypedState = Type.Object({
  status: Type.String(),
  total: Type.Integer(),
  answered: Type.Integer(),
  question: Nullable(Type.Object({ index: Type.Integer(), text: Type.String() })),
});
const PublicErrors = { 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem, 429: Problem };
const AccommodationTypeSchema = Type.Union([Type.Literal('more_time'), Type.Literal('typed_mode'), Type.Literal('human_interviewer')]);
const AccommodationView = Type.Object({
  id: Uuid,
  interviewId: Uuid,
  applicationId: Uuid,
  type: Type.String(),
  note: Nullable(Type.String()),
  status: Type.String(),
  dueAt: Type.String(),
  overdue: Type.Boolean(),
  resolvedAt: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String()),
  resolution: Nullable(Type.String()),
  createdAt: Type.String(),
});

const OpenAccommodation = Type.Object({
  id: Uuid,
  interviewId: Uuid,
  applicationId: Uuid,
  jobId: Uuid,
  jobTitle: Type.String(),
  type: Type.String(),
  hasNote: Type.Boolean(),
  dueAt: Type.String(),
  overdue: Type.Boolean(),
  createdAt: Type.String(),
});

function wantsHtml(accept: string | undefined): boolean {
  const a = accept ?? '';
  return a.includes('text/html') && !a.includes('application/json');
}
/** A form post from the page goes back to the page (post/redirect/get), which shows the next question. */
const backToPage = (reply: FastifyReply, token: string) => reply.code(303).header('location', `/i/${encodeURIComponent(token)}`).send();

export interface TypedRouteDeps {
  typed: TypedInterviewService;
  accommodations: AccommodationService;
  /** The candidate's translator for the invitation behind a token (also localises this request's errors). */
  localise: (request: FastifyRequest, reply: FastifyReply, token: string) => Promise<Translator>;
}

export async function typedInviteRoutes(fastify: FastifyInstance, deps: TypedRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { typed, accommodations } = deps;

  app.get(
    '/i/:token/typed',
    {
      schema: { operationId: 'typedInterviewState', tags: ['public'], params: TokenParams, response: { 200: TypedState, 400: Problem, 404: Problem, 429: Problem } },
      config: { access: { public: 'candidate reads the typed interview (token is the credential)' }, rateLimit: { max: 60, timeWindow: '1 minute' } },
    },
    async (request) => typed.state(request.params.token),
  );

  app.post(
    '/i/:token/typed/answers',
    {
      schema: {
        operationId: 'answerTypedInterviewQuestion',
        tags: ['public'],
        description: `Answers the next question of a consented typed interview (index = that question; a resent answer is refused with 409). Answers are capped at ${TYPED_ANSWER_MAX} characters.`,
        params: TokenParams,
        body: Type.Object({ index: Type.Integer({ minimum: 0, maximum: 99 }), answer: Type.String({ minLength: 1, maxLength: TYPED_ANSWER_MAX }) }, { additionalProperties: false }),
        response: { 200: TypedState, 303: Type.Null(), ...PublicErrors },
      },
      bodyLimit: 32 * 1024,
      config: { access: { public: 'candidate answers a typed interview question (token is the credential)' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      await deps.localise(request, reply, token);
      const state = await typed.answer(token, request.body, request.id);
      return wantsHtml(request.headers.accept) ? backToPage(reply, token) : state;
    },
  );

  app.post(
    '/i/:token/typed/finish',
    {
      schema: {
        operationId: 'finishTypedInterview',
        tags: ['public'],
        description: 'Ends the typed interview: its answers become the transcript (the voice transcript format) and it is scored by the same scorer.',
        params: TokenParams,
        response: { 200: Type.Object({ status: Type.String() }), 303: Type.Null(), ...PublicErrors },
      },
      config: { access: { public: 'candidate finishes a typed interview (token is the credential)' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      await deps.localise(request, reply, token);
      const out = await typed.finish(token, request.id);
      return wantsHtml(request.headers.accept) ? backToPage(reply, token) : out;
    },
  );

  app.post(
    '/i/:token/accommodations',
    {
      schema: {
        operationId: 'requestInterviewAccommodation',
        tags: ['public'],
        description: 'The candidate asks for more time, a typed interview or a human interviewer (optional note). Answered within two working days (dueAt); a typed-mode request is granted at once.',
        params: TokenParams,
        body: Type.Object({ type: AccommodationTypeSchema, note: Type.Optional(Type.String({ maxLength: ACCOMMODATION_NOTE_MAX })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Uuid, type: Type.String(), status: Type.String(), dueAt: Type.String() }), 200: Type.String(), ...PublicErrors },
      },
      bodyLimit: 8 * 1024,
      config: { access: { public: 'candidate requests an interview accommodation (token is the credential)' }, rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      const tr = await deps.localise(request, reply, token);
      const out = await accommodations.request(token, request.body, request.id);
      if (wantsHtml(request.headers.accept)) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderAccommodationRequested(tr, out, token));
      return reply.code(201).send(out);
    },
  );
}

export async function accommodationApiRoutes(fastify: FastifyInstance, deps: { accommodations: AccommodationService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accommodations } = deps;
  app.get(
    '/api/v1/applications/:id/accommodations',
    {
      schema: { operationId: 'listInterviewAccommodations', tags: ['interviews'], params: IdParams, response: { 200: Type.Array(AccommodationView), ...ProblemResponses } },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => accommodations.list(requireCtx(request), request.params.id),
  );

  app.get(
    '/api/v1/accommodations',
    {
      schema: {
        operationId: 'listOpenInterviewAccommodations',
        tags: ['interviews'],
        description: "The org's open accommodation requests, soonest due first (overdue ones first of all), with cursor paging. No candidate notes: the application's own list has them.",
        querystring: Type.Object(
          {
            status: Type.Literal('open', { default: 'open' }),
            cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ accommodations: Type.Array(OpenAccommodation), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...ProblemResponses },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => accommodations.listOpen(requireCtx(request), request.query),
  );

  app.post(
    '/api/v1/accommodations/:id/resolve',
    {
      schema: {
        operationId: 'resolveInterviewAccommodation',
        tags: ['interviews'],
        description: "Grants or declines a candidate's accommodation request (audited). Granting more time extends the call's limit by half (at most an hour) while the interview has not started; maxDurationSeconds is the new limit, or null. 409 when it is already resolved.",
        params: IdParams,
        body: Type.Object({ outcome: Type.Union([Type.Literal('granted'), Type.Literal('declined')]), resolution: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Uuid, status: Type.String(), maxDurationSeconds: Nullable(Type.Integer()) }), ...ProblemResponses, 409: Problem },
      },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request) => accommodations.resolve(requireCtx(request), request.params.id, request.body, request.id),
  );
}
