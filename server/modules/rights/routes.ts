// HTTP for the privacy-request register (admins write with privacy:manage; auditors read
// with privacy:read) and candidate rectification (admins). DESIGN §9, issue 18 item 6.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { DisplayText, Email, Name, Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { IdParams } from '../../core/schemas.js';
import { REFERENCE_PATTERN } from './reference.js';
import { IDENTITY_STATUSES, REQUEST_STATUSES, REQUEST_TYPES } from './service.js';
import { MAX_EXTENSION_MONTHS, RECTIFIABLE_FIELDS, type RightsService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Literals } from '../../plugins/route-types.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A calendar date, YYYY-MM-DD.' });
const Nullable = <S extends ReturnType<typeof Type.String>>(s: S) => Type.Union([s, Type.Null()]);
// Short admin notes, shown in the register: no personal data belongs here (the candidate is linked).
const Note = DisplayText(500);

const RequestView = Type.Object({
  id: Uuid,
  reference: Type.String(),
  type: Type.String(),
  receivedOn: Type.String(),
  identityStatus: Type.String(),
  identityMethod: Type.Union([Type.String(), Type.Null()]),
  dueOn: Type.String(),
  extensionMonths: Type.Integer(),
  extensionReason: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  refusalReason: Type.Union([Type.String(), Type.Null()]),
  candidateId: Type.Union([Uuid, Type.Null()]),
  closedBy: Type.Union([Type.String(), Type.Null()]),
  closedAt: Type.Union([Type.String(), Type.Null()]),
  overdue: Type.Boolean(),
  daysLeft: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const CreateBody = Type.Object(
  {
    reference: Type.String({ pattern: REFERENCE_PATTERN, description: 'The ticket or case reference (letters, digits, space and . _ : / # -; at most 120; unique in the org).' }),
    type: Literals(REQUEST_TYPES),
    receivedOn: Type.Optional(Day),
    identityStatus: Type.Optional(Literals(IDENTITY_STATUSES)),
    identityMethod: Type.Optional(Nullable(DisplayText(200))),
    candidateId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    identityStatus: Type.Optional(Literals(IDENTITY_STATUSES)),
    identityMethod: Type.Optional(Nullable(DisplayText(200))),
    status: Type.Optional(Literals(REQUEST_STATUSES)),
    refusalReason: Type.Optional(Note),
    extensionMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_EXTENSION_MONTHS, description: 'Total extension beyond the first month (GDPR Art. 12(3): at most two further months).' })),
    extensionReason: Type.Optional(Note),
    candidateId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

const RectifyBody = Type.Object(
  {
    name: Type.Optional(Name),
    email: Type.Optional(Email),
    phone: Type.Optional(Type.Union([Type.String({ minLength: 5, maxLength: 40, pattern: '^\\+?[0-9 ().-]{5,40}$' }), Type.Null()])),
    location: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    links: Type.Optional(Type.Array(Type.String({ maxLength: 500, pattern: '^https?://[^\\s<>"]+$' }), { maxItems: 5 })),
    privacyRequestId: Type.Optional(Uuid),
  },
  { additionalProperties: false, minProperties: 1 },
);

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(Literals(REQUEST_STATUSES), { maxItems: 4 })),
    candidateId: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
  },
  { additionalProperties: false },
);

export async function rightsRoutes(fastify: FastifyInstance, deps: { rights: RightsService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/privacy-requests',
    {
      schema: {
        operationId: 'listPrivacyRequests',
        tags: ['privacy'],
        description: 'The privacy-request register: open requests first, earliest due first; each with its GDPR deadline, days left and overdue flag.',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(RequestView) }), ...ProblemResponses },
      },
      config: { access: { permission: 'privacy:read' } },
    },
    async (request) => deps.rights.list(requireCtx(request), request.query),
  );

  app.get(
    '/api/v1/privacy-requests/:id',
    {
      schema: { operationId: 'getPrivacyRequest', tags: ['privacy'], params: IdParams, response: { 200: RequestView, ...ProblemResponses } },
      config: { access: { permission: 'privacy:read' } },
    },
    async (request) => deps.rights.get(requireCtx(request), request.params.id),
  );

  app.post(
    '/api/v1/privacy-requests',
    {
      schema: {
        operationId: 'createPrivacyRequest',
        tags: ['privacy'],
        description: 'Registers a data subject request. Due one month after receipt (GDPR Art. 12(3)). 409 when the reference is already registered. Audited.',
        body: CreateBody,
        response: { 201: RequestView, ...ProblemResponses, 409: Problem, 413: Problem },
      },
      config: { access: { permission: 'privacy:manage' } },
    },
    async (request, reply) => reply.code(201).send(await deps.rights.create(requireCtx(request), request.body)),
  );

  app.patch(
    '/api/v1/privacy-requests/:id',
    {
      schema: {
        operationId: 'updatePrivacyRequest',
        tags: ['privacy'],
        description:
          'Records the identity check, progress, an extension (extensionMonths 1 or 2 in total, with extensionReason: the due date moves to receipt + 1 + extension months), a refusal (status refused with refusalReason) or completion (done; needs a verified identity). A closed request no longer changes (409). Audited with the names of the changed fields.',
        params: IdParams,
        body: UpdateBody,
        response: { 200: RequestView, ...ProblemResponses, 409: Problem, 413: Problem, 422: Problem },
      },
      config: { access: { permission: 'privacy:manage' } },
    },
    async (request) => deps.rights.update(requireCtx(request), request.params.id, request.body),
  );

  app.patch(
    '/api/v1/candidates/:id',
    {
      schema: {
        operationId: 'rectifyCandidate',
        tags: ['privacy'],
        description: `Rectification (GDPR Art. 16): replaces the given fields (${RECTIFIABLE_FIELDS.join(', ')}; null clears phone or location), encrypted again under the candidate key. With privacyRequestId the rectification request is closed in the same transaction. Audited with the names of the changed fields, never their values. 409 when another candidate of the org has the new e-mail address.`,
        params: IdParams,
        body: RectifyBody,
        response: { 200: Type.Object({ candidateId: Uuid, changed: Type.Array(Type.String()) }), ...ProblemResponses, 409: Problem, 413: Problem, 422: Problem },
      },
      config: { access: { permission: 'privacy:manage' } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return deps.rights.rectify(requireCtx(request), request.params.id, request.body);
    },
  );
}
