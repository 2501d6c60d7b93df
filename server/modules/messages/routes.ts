// HTTP for message templates and candidate messages. Editing templates is a settings
// change (admins); reading them is for anyone who works on applications; sending is a
// candidate write (recruiters, admins).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { DisplayText, Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { IdParams } from '../../core/schemas.js';
import { LOCALES } from '../../core/i18n/locales.js';
import { SEND_ON, STUCK_PENDING_MINUTES, TEMPLATE_KINDS, type SendOn } from './service.js';
import type { MessageService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Literals, NoContent } from '../../plugins/route-types.js';

const Errors = { ...ProblemResponses, 409: Problem, 422: Problem };
const Kind = Literals(TEMPLATE_KINDS);
// One type list, not a union: the app's Ajv coerces types, and a union would coerce null
// inside its first branch (see NullableBoolean in plugins/schemas.ts).
const SendOnSchema = Type.Unsafe<SendOn | null>({ type: ['string', 'null'], enum: [...SEND_ON, null] });
const TemplateName = DisplayText(100);
// One line: a subject can never carry a header break.
const Subject = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\r\\n]*\\S[^\\r\\n]*$' });
const Body = Type.String({ minLength: 1, maxLength: 10000, pattern: '\\S' });
// Wording per shipped locale (issue 22 item 1). propertyNames makes an unknown language a
// 400: the app's Ajv drops additional properties silently, which would store nothing.
const Variant = Type.Object({ subject: Subject, body: Body }, { additionalProperties: false });
const Translations = Type.Object(Object.fromEntries(LOCALES.map((l) => [l, Type.Optional(Variant)])), { additionalProperties: false, propertyNames: { enum: [...LOCALES] } });

const Template = Type.Object({
  id: Uuid,
  name: Type.String(),
  kind: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  sendOn: Type.Union([Type.String(), Type.Null()]),
  translations: Type.Record(Type.String(), Type.Object({ subject: Type.String(), body: Type.String() })),
  updatedBy: Type.Union([Uuid, Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const MessageSchema = Type.Object({
  id: Uuid,
  applicationId: Uuid,
  kind: Type.String(),
  templateId: Type.Union([Uuid, Type.Null()]),
  origin: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  sentBy: Type.Union([Uuid, Type.Null()]),
  status: Type.String(),
  error: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  attempts: Type.Integer(),
  lastAttemptAt: Type.String(),
});

const Undelivered = Type.Object({
  id: Uuid,
  applicationId: Uuid,
  candidateId: Uuid,
  jobId: Uuid,
  jobTitle: Type.String(),
  kind: Type.String(),
  origin: Type.String(),
  status: Type.String(),
  error: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  createdAt: Type.String(),
  lastAttemptAt: Type.String(),
});

export async function messageRoutes(fastify: FastifyInstance, deps: { messages: MessageService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { messages } = deps;

  app.get(
    '/api/v1/message-templates',
    {
      schema: {
        operationId: 'listMessageTemplates',
        tags: ['messages'],
        response: { 200: Type.Object({ templates: Type.Array(Template), variables: Type.Array(Type.String()) }), ...Errors },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => messages.listTemplates(requireCtx(request)),
  );

  app.post(
    '/api/v1/message-templates',
    {
      schema: {
        operationId: 'createMessageTemplate',
        tags: ['messages'],
        description: `Variables: ${messages.variables.map((v) => `{{${v}}}`).join(', ')}; any other {{...}} is a 422. sendOn: "apply" (application_received only) or a stage kind; never for rejections.`,
        body: Type.Object({ name: TemplateName, kind: Kind, subject: Subject, body: Body, sendOn: Type.Optional(SendOnSchema), translations: Type.Optional(Translations) }, { additionalProperties: false }),
        response: { 201: Template, ...Errors },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request, reply) => {
      const body = request.body;
      return reply.code(201).send(await messages.createTemplate(requireCtx(request), body));
    },
  );

  app.patch(
    '/api/v1/message-templates/:id',
    {
      schema: {
        operationId: 'updateMessageTemplate',
        tags: ['messages'],
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(TemplateName), subject: Type.Optional(Subject), body: Type.Optional(Body), sendOn: Type.Optional(SendOnSchema), translations: Type.Optional(Translations) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Template, ...Errors },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => messages.updateTemplate(requireCtx(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/message-templates/:id',
    {
      schema: { operationId: 'deleteMessageTemplate', tags: ['messages'], params: IdParams, response: { 204: NoContent, ...Errors } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request, reply) => {
      await messages.deleteTemplate(requireCtx(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/applications/:id/messages',
    {
      schema: {
        operationId: 'sendApplicationMessage',
        tags: ['messages'],
        description:
          'Mails the candidate a template (templateId) or free text (subject + body, same variables). A rejection needs a recorded reject decision and "confirm": true; any message to a rejected candidate needs "confirm": true.',
        params: IdParams,
        body: Type.Object({ templateId: Type.Optional(Uuid), subject: Type.Optional(Subject), body: Type.Optional(Body), confirm: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 201: MessageSchema, ...Errors },
      },
      config: { access: { permission: 'candidates:write' }, rateLimit: { max: 60, timeWindow: '1 minute' } },
    },
    async (request, reply) => reply.code(201).send(await messages.send(requireCtx(request), request.params.id, request.body)),
  );

  app.get(
    '/api/v1/applications/:id/messages',
    {
      schema: {
        operationId: 'listApplicationMessages',
        tags: ['messages'],
        description: 'Messages sent to the candidate for this application, decrypted; the view is audited.',
        params: IdParams,
        response: { 200: Type.Object({ messages: Type.Array(MessageSchema) }), ...Errors },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => messages.listMessages(requireCtx(request), request.params.id),
  );

  app.get(
    '/api/v1/messages',
    {
      schema: {
        operationId: 'listUndeliveredMessages',
        tags: ['messages'],
        description: `Undelivered candidate messages of the org, newest first: status=failed (default) or status=pending (stuck in pending for ${STUCK_PENDING_MINUTES}+ minutes). Ids and status only, no content.`,
        querystring: Type.Object(
          {
            status: Type.Union([Type.Literal('failed'), Type.Literal('pending')], { default: 'failed' }),
            cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ messages: Type.Array(Undelivered), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...Errors },
      },
      config: { access: { permission: 'candidates:write' } },
    },
    async (request) => messages.listUndelivered(requireCtx(request), request.query),
  );

  app.post(
    '/api/v1/messages/:id/retry',
    {
      schema: {
        operationId: 'retryMessage',
        tags: ['messages'],
        description:
          'Mails a failed (or stuck pending) message again with the same subject and body. Idempotent: a message already sent is returned unchanged with retried: false; one being sent right now is a 409.',
        params: IdParams,
        response: { 200: Type.Object({ ...MessageSchema.properties, retried: Type.Boolean() }), ...Errors },
      },
      config: { access: { permission: 'candidates:write' }, rateLimit: { max: 60, timeWindow: '1 minute' } },
    },
    async (request) => messages.retry(requireCtx(request), request.params.id),
  );
}
