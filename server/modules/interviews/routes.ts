// Recruiter API for interviews and the candidate's invitation page (/i/:token).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { IdParams } from '../../core/schemas.js';
import { candidateTranslator } from '../../plugins/locale.js';
import { renderAnswered, renderInvitePage, type PageContext } from './html.js';
import type { InterviewService, InvitePage } from './service.js';
import { ScoringSchema } from './score-view.js';
import type { AccommodationService } from './accommodations.js';
import type { TypedInterviewService } from './typed.js';
import { typedInviteRoutes } from './typed-routes.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Literals, NoContent, sendRaw } from '../../plugins/route-types.js';

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
  consent: Nullable(Type.Object({ noticeVersion: Type.String(), language: Nullable(Type.String()), consentedAt: Nullable(Type.String()), recording: Nullable(Type.Boolean()) })),
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
  attempts: Type.Array(
    Type.Object({ attempt: Type.Integer(), callId: Type.String(), mode: Type.String(), endedReason: Nullable(Type.String()), placedAt: Type.String(), endedAt: Nullable(Type.String()) }),
  ),
  schedule: Type.Object({
    scheduledFor: Nullable(Type.String()),
    timezone: Nullable(Type.String()),
    display: Nullable(Type.String()),
    nextAttemptAt: Nullable(Type.String()),
    availability: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
  }),
  cancelled: Nullable(Type.Object({ at: Type.String(), by: Type.String() })),
  transcript: Nullable(Type.String()),
  recordingRef: Nullable(Type.String()),
  /** The recording held on the box (play it from /api/v1/interviews/:id/recording). */
  recording: Nullable(Type.Object({ contentType: Type.String(), size: Type.Integer() })),
  assistantModel: Nullable(Type.Object({ provider: Type.String(), model: Type.String() })),
  scoring: Nullable(ScoringSchema),
  createdAt: Type.String(),
});
const Errors = { ...ProblemResponses, 409: Problem, 422: Problem, 503: Problem };
const PlanErrors = { ...Errors, 413: Problem, 502: Problem };
const TokenParams = Type.Object({ token: Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });
const VapiId = Type.Union([Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }), Type.Null()]);
/** ISO 8601 instants; normaliseWindows checks order, length and horizon. */
const Instant = Type.String({ minLength: 10, maxLength: 40, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})$' });
const Windows = Type.Array(Type.Object({ start: Instant, end: Instant }, { additionalProperties: false }), { maxItems: 20 });
const Language = Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' });
const SettingsBody = Type.Object(
  {
    assistantId: VapiId,
    phoneNumberId: VapiId,
    maxCallRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    retryDelaysSeconds: Type.Optional(Type.Array(Type.Integer({ minimum: 60, maximum: 172800 }), { minItems: 1, maxItems: 5 })),
    rescheduleCutoffMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 2880 })),
    /** Vapi's restricted PUBLIC key (browser calls); never the private key. */
    publicKey: Type.Optional(VapiId),
    /** The voice assistant's language model (Vapi's provider and model names); both null: the operator's default. */
    assistantModelProvider: Type.Optional(Type.Union([Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }), Type.Null()])),
    assistantModel: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$' }), Type.Null()])),
  },
  { additionalProperties: false },
);
const SettingsView = Type.Object({
  assistantId: VapiId,
  phoneNumberId: VapiId,
  maxCallRetries: Type.Integer(),
  retryDelaysSeconds: Type.Array(Type.Integer()),
  rescheduleCutoffMinutes: Type.Integer(),
  publicKey: VapiId,
  assistantModelProvider: Nullable(Type.String()),
  assistantModel: Nullable(Type.String()),
  defaultAssistantModel: Type.Object({ provider: Type.String(), model: Type.String() }),
  provider: Type.Object({ state: Type.String(), retryAt: Nullable(Type.String()) }),
});
const WeeklyHours = Type.Object(
  {
    timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA timezone, e.g. Europe/Berlin' }),
    days: Type.Array(
      Type.Object(
        {
          weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday .. 7 = Sunday' }),
          start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'local time HH:MM' }),
          end: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'local time HH:MM' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 14 },
    ),
  },
  { additionalProperties: false },
);
// Up to 100 questions pass the schema so that a plan over the limit of 20 gets the plan
// rules' 422 with its reason; a body over PLAN_BODY_LIMIT is refused with 413.
const PLAN_BODY_LIMIT = 64 * 1024;
const PlanQuestion = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 500 }),
    criterion: Type.String({ minLength: 1, maxLength: 8, description: "The job criterion's key: c1, c2, ... in the job's criteria order." }),
    anchor: Type.String({ minLength: 1, maxLength: 500, description: 'What a full answer shows (the scorer anchors a 4 on it).' }),
  },
  { additionalProperties: false },
);
const PlanProblem = Type.Object({ question: Nullable(Type.Integer()), code: Type.String(), detail: Type.String() });
const PlanBody = Type.Object(
  {
    questions: Type.Array(PlanQuestion, { minItems: 1, maxItems: 100 }),
    maxDurationSeconds: Type.Integer({ minimum: 60, maximum: 3600 }),
    language: Language,
    availability: Windows,
    weeklyHours: Type.Optional(Type.Union([WeeklyHours, Type.Null()])),
    voice: Type.Union([Type.Object({ provider: Type.String({ pattern: '^[a-z0-9-]{2,32}$' }), voiceId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }), Type.Null()]),
  },
  { additionalProperties: false },
);
const PlanView = Type.Object({
  jobId: Uuid,
  status: Type.Union([Type.Literal('none'), Type.Literal('draft'), Type.Literal('approved')]),
  source: Nullable(Type.String()),
  questions: Type.Array(Type.Object({ text: Type.String(), criterion: Nullable(Type.String()), criterionName: Nullable(Type.String()), anchor: Nullable(Type.String()) })),
  criteria: Type.Array(Type.Object({ key: Type.String(), name: Type.String(), mustHave: Type.Boolean() })),
  problems: Type.Array(PlanProblem),
  draft: Nullable(Type.Object({ model: Nullable(Type.String()), seed: Nullable(Type.Integer()) })),
  approvedAt: Nullable(Type.String()),
  approvedBy: Nullable(Type.String()),
  maxDurationSeconds: Type.Integer(),
  language: Type.String(),
  availability: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
  weeklyHours: Type.Union([WeeklyHours, Type.Null()]),
  voice: Nullable(Type.Object({ provider: Type.String(), voiceId: Type.String() })),
  assistant: Type.Object({ id: Nullable(Type.String()), synced: Type.Boolean() }),
});
const JobIdParams = Type.Object({ jobId: Uuid }, { additionalProperties: false });
const AnswerResult = Type.Object({ status: Type.String(), scheduledFor: Type.Optional(Nullable(Type.String())) });

export async function interviewApiRoutes(fastify: FastifyInstance, deps: { interviews: InterviewService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
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
            maxDurationSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 3600 })),
            language: Type.Optional(Language),
            availability: Type.Optional(Windows),
          },
          { additionalProperties: false },
        ),
        response: { 201: Interview, ...Errors },
      },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Parameters<InterviewService['create']>[2];
      return reply.code(201).send(await interviews.create(requireCtx(request), request.params.id, body));
    },
  );

  app.get(
    '/api/v1/interviews/settings',
    {
      schema: { operationId: 'getInterviewSettings', tags: ['interviews'], response: { 200: SettingsView, ...ProblemResponses } },
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
        description: 'Vapi assistant/phone number, the re-dial policy (retries and delays), the reschedule cutoff and the public key for browser calls.',
        body: SettingsBody,
        response: { 204: NoContent, ...ProblemResponses },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request, reply) => {
      await interviews.saveSettings(requireCtx(request), request.body);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/interviews/:id',
    {
      schema: { operationId: 'getInterview', tags: ['interviews'], params: IdParams, response: { 200: Interview, ...Errors } },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => interviews.get(requireCtx(request), request.params.id),
  );

  app.get(
    '/api/v1/interviews/:id/recording',
    {
      schema: {
        operationId: 'playInterviewRecording',
        tags: ['interviews'],
        description: 'The call recording held on the box (audio; single byte ranges answer 206). Each play is audited (recording.played).',
        params: IdParams,
        headers: Type.Object({ range: Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { ...ProblemResponses, 416: Problem },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request, reply) => {
      const out = await interviews.recording(requireCtx(request), request.params.id, request.headers.range);
      reply.header('accept-ranges', 'bytes').header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff');
      if (out.status === 416) {
        return reply
          .code(416)
          .header('content-range', `bytes */${out.size}`)
          .type('application/problem+json')
          .send({ type: 'https://hirebox.dev/problems/range-not-satisfiable', title: 'Range Not Satisfiable', status: 416, detail: `The recording has ${out.size} bytes; ask for one range inside it.` });
      }
      if (out.status === 206) reply.header('content-range', `bytes ${out.start}-${out.end}/${out.size}`);
      return sendRaw(reply.code(out.status).type(out.contentType).header('content-length', String(out.body?.length ?? 0)), out.body);
    },
  );

  app.post(
    '/api/v1/interviews/:id/cancel',
    {
      schema: {
        operationId: 'cancelInterview',
        tags: ['interviews'],
        description: 'Cancels an invited or scheduled interview (also one waiting for a re-dial): no call is placed afterwards.',
        params: IdParams,
        response: { 200: Interview, ...Errors },
      },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request) => interviews.cancel(requireCtx(request), request.params.id),
  );

  app.post(
    '/api/v1/interviews/:id/hang-up',
    {
      schema: {
        operationId: 'hangUpInterview',
        tags: ['interviews'],
        description: "Ends the interview's live call (Vapi live-call control, through the worker). The call shows `hanging-up` until Vapi reports the end; 409 when there is no live call.",
        params: IdParams,
        response: { 200: Interview, ...Errors },
      },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request) => interviews.hangUp(requireCtx(request), request.params.id),
  );

  app.get(
    '/api/v1/interview-plans/:jobId',
    {
      schema: { operationId: 'getInterviewPlan', tags: ['interviews'], params: JobIdParams, response: { 200: PlanView, ...Errors } },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request) => interviews.getPlan(requireCtx(request), request.params.jobId),
  );

  app.put(
    '/api/v1/interview-plans/:jobId',
    {
      schema: {
        operationId: 'saveInterviewPlan',
        tags: ['interviews'],
        description:
          "The job's interview plan: questions (each mapped to one job criterion by key, with a rubric anchor; checked for questions about protected characteristics), duration, language (the assistant's transcriber and voice follow it), voice, fixed availability windows (UTC) and recurring weekly hours (local times in a timezone; each invite gets them as windows for the next 14 days). Changed questions make the plan a draft that needs approval before the next invite.",
        params: JobIdParams,
        body: PlanBody,
        response: { 200: PlanView, ...PlanErrors },
      },
      bodyLimit: PLAN_BODY_LIMIT,
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request) => interviews.savePlan(requireCtx(request), request.params.jobId, request.body),
  );

  app.post(
    '/api/v1/interview-plans/:jobId/draft',
    {
      schema: {
        operationId: 'draftInterviewPlan',
        tags: ['interviews'],
        description:
          "Drafts the job's interview plan with the language model from the job's title, description and criteria (fixed seed, temperature 0, strict output schema). The draft is validated (one existing criterion per question, every must-have covered, no protected characteristics) and stored as a draft; an invalid answer is refused with 502 and nothing is stored.",
        params: JobIdParams,
        body: Type.Optional(Type.Object({ language: Type.Optional(Literals(['en', 'de', 'fr', 'es', 'nl'])) }, { additionalProperties: false })),
        response: { 200: PlanView, ...PlanErrors },
      },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request) => interviews.draftPlan(requireCtx(request), request.params.jobId, request.body ?? {}),
  );

  app.post(
    '/api/v1/interview-plans/:jobId/approve',
    {
      schema: {
        operationId: 'approveInterviewPlan',
        tags: ['interviews'],
        description: 'Approves the plan as it stands (422 with the problems when it breaks a plan rule). Invites are refused with 409 until the plan is approved.',
        params: JobIdParams,
        response: { 200: PlanView, ...PlanErrors },
      },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request) => interviews.approvePlan(requireCtx(request), request.params.jobId),
  );

  app.post(
    '/api/v1/interviews/:id/revoke',
    {
      schema: { operationId: 'revokeInterviewInvite', tags: ['interviews'], params: IdParams, response: { 204: NoContent, ...Errors } },
      config: { access: { permission: 'interviews:manage' } },
    },
    async (request, reply) => {
      await interviews.revoke(requireCtx(request), request.params.id);
      return reply.code(204).send();
    },
  );
}

/** A plain form post (no JavaScript) wants a page back; API clients ask for JSON. */
function wantsHtml(accept: string | undefined): boolean {
  const a = accept ?? '';
  return a.includes('text/html') && !a.includes('application/json');
}

/**
 * The browser-interview page only: Vapi's API (VAPI_BASE_URL), Daily's media servers
 * (HTTPS and WebSocket) and Daily's call bundle (loaded as a script with avoidEval, so no
 * 'unsafe-eval'). Every other page keeps the global connect-src 'self'.
 */
export function browserCallCsp(vapiBaseUrl: string): string {
  return [
    "default-src 'self'",
    "script-src 'self' https://c.daily.co",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${new URL(vapiBaseUrl).origin} https://*.daily.co wss://*.daily.co wss://*.wss.daily.co https://*.pluot.blue wss://*.pluot.blue`,
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const BrowserCall = Type.Object({
  publicKey: Type.String(),
  /** Vapi's API as this deployment reaches it (VAPI_BASE_URL), for the web SDK. */
  apiBaseUrl: Type.String(),
  assistantId: Nullable(Type.String()),
  assistant: Nullable(Type.Object({}, { additionalProperties: true })),
  assistantOverrides: Type.Object({}, { additionalProperties: true }),
});

export async function invitePageRoutes(
  fastify: FastifyInstance,
  deps: { interviews: InterviewService; browserScript: string | null; vapiBaseUrl: string; typed: TypedInterviewService; accommodations: AccommodationService },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { interviews } = deps;

  /**
   * The candidate's language for this page (issue 22 item 1): their ?lang/cookie choice, else
   * what they applied in (else the job's language); times in the zone chosen for the
   * interview, else the application's. Also makes later errors of the request localised.
   */
  const pageContext = (request: FastifyRequest, reply: FastifyReply, p: InvitePage, zone?: string | null): PageContext => ({
    tr: candidateTranslator(request, reply, { content: p.contentLocale, timeZone: zone ?? p.timezone ?? p.applicationTimeZone }),
    path: request.url,
  });
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
      const { token } = request.params;
      const p = await interviews.invitePage(token);
      if (p.answered && p.mode === 'browser' && p.status === 'scheduled' && deps.browserScript) reply.header('content-security-policy', browserCallCsp(deps.vapiBaseUrl));
      const c = pageContext(request, reply, p);
      const typed = p.mode === 'typed' ? await deps.typed.state(token) : null;
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderInvitePage(c, { ...p, token, browserScript: deps.browserScript, typed }));
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
            noticeRevision: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
            mode: Type.Optional(Type.Union([Type.Literal('phone'), Type.Literal('browser'), Type.Literal('typed')])),
            phone: Type.Optional(Type.String({ maxLength: 32 })),
            phoneConfirmed: Type.Optional(Type.Boolean()),
            recordingConsent: Type.Optional(Type.Boolean()),
            startAt: Type.Optional(Type.String({ maxLength: 40 })),
            timezone: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Union([AnswerResult, Type.String()]), 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem, 429: Problem },
      },
      config: { access: { public: 'candidate answers the interview invitation' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      const page = await interviews.invitePage(token);
      const body = request.body;
      const c = pageContext(request, reply, page, body.timezone);
      // Consent records the language the notice was read in, beside its version.
      const result = await interviews.answer(token, body, request.id, c.tr.locale);
      if (wantsHtml(request.headers.accept)) {
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderAnswered(c, result.status, page.orgName, { scheduledFor: result.scheduledFor, mode: body.mode ?? 'phone', token }));
      }
      return result;
    },
  );

  app.post(
    '/i/:token/browser-call',
    {
      schema: {
        operationId: 'startBrowserInterview',
        tags: ['public'],
        description: "The browser call's configuration (public key, assistant, overrides with ids as metadata), only after consent to a browser interview.",
        params: TokenParams,
        response: { 200: BrowserCall, 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 429: Problem },
      },
      config: { access: { public: 'candidate starts the consented browser interview (token is the credential)' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      pageContext(request, reply, await interviews.invitePage(token));
      return { ...(await interviews.browserCall(token, request.id)), apiBaseUrl: deps.vapiBaseUrl };
    },
  );

  app.post(
    '/i/:token/reschedule',
    {
      schema: {
        operationId: 'rescheduleInterview',
        tags: ['public'],
        params: TokenParams,
        body: Type.Object({ startAt: Type.String({ minLength: 3, maxLength: 40 }), timezone: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Union([AnswerResult, Type.String()]), 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem, 429: Problem },
      },
      config: { access: { public: 'candidate moves the booked interview (token is the credential)' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      const body = request.body;
      pageContext(request, reply, await interviews.invitePage(token), body.timezone);
      const result = await interviews.reschedule(token, body, request.id);
      if (wantsHtml(request.headers.accept)) {
        const page = await interviews.invitePage(token);
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderAnswered(pageContext(request, reply, page), 'rescheduled', page.orgName, { scheduledFor: result.scheduledFor, mode: 'phone', token }));
      }
      return result;
    },
  );

  app.post(
    '/i/:token/cancel',
    {
      schema: {
        operationId: 'cancelInterviewByCandidate',
        tags: ['public'],
        params: TokenParams,
        response: { 200: Type.Union([AnswerResult, Type.String()]), 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 429: Problem },
      },
      config: { access: { public: 'candidate cancels the booked interview (token is the credential)' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      const page = await interviews.invitePage(token);
      const c = pageContext(request, reply, page);
      const result = await interviews.candidateCancel(token, request.id);
      if (wantsHtml(request.headers.accept)) {
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderAnswered(c, 'cancelled', page.orgName, { scheduledFor: null, mode: 'phone', token }));
      }
      return result;
    },
  );
  // Same scope: the typed chat and accommodation forms post urlencoded like the invitation form.
  await typedInviteRoutes(app, { typed: deps.typed, accommodations: deps.accommodations, localise: async (request, reply, token) => pageContext(request, reply, await interviews.invitePage(token)).tr });
}
