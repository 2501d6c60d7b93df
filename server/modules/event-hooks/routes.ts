// HTTP for outbound event webhooks (admins: webhooks:manage): subscriptions, their signing
// secret (shown once on create and rotate), the delivery log and manual redelivery.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses } from '../../core/schemas.js';
import { EVENT_TYPES, type EventHookService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Literals, NoContent } from '../../plugins/route-types.js';

const EventType = Literals(EVENT_TYPES);
const Url = Type.String({ minLength: 8, maxLength: 2000 });
const Events = Type.Array(EventType, { minItems: 1, maxItems: EVENT_TYPES.length });
const Description = Type.String({ maxLength: 200 });
const Id = Type.String({ format: 'uuid' });

const Subscription = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  consecutiveFailures: Type.Integer(),
  lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Attempt = Type.Object({
  attempt: Type.Integer(),
  ok: Type.Boolean(),
  responseCode: Type.Union([Type.Integer(), Type.Null()]),
  durationMs: Type.Integer(),
  errorClass: Type.Union([Type.String(), Type.Null()]),
  responseSnippet: Type.Union([Type.String(), Type.Null()]),
  at: Type.String(),
});

const Delivery = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  manual: Type.Boolean(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastResponseCode: Type.Union([Type.Integer(), Type.Null()]),
  lastErrorClass: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  log: Type.Array(Attempt),
});

const access = { access: { permission: 'webhooks:manage' as const } };
const tags = ['event-hooks'];

export async function eventHookRoutes(fastify: FastifyInstance, deps: { eventHooks: EventHookService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const svc = deps.eventHooks;
  app.get(
    '/api/v1/org/event-hooks',
    { schema: { operationId: 'listEventHooks', summary: 'List event webhook subscriptions', tags, response: { 200: Type.Object({ items: Type.Array(Subscription) }), ...ProblemResponses } }, config: access },
    async (request) => ({ items: await svc.list(requireCtx(request)) }),
  );

  app.post(
    '/api/v1/org/event-hooks',
    {
      bodyLimit: 8 * 1024,
      schema: {
        operationId: 'createEventHook',
        summary: 'Subscribe a URL to events (the signing secret is shown once)',
        tags,
        body: Type.Object({ url: Url, events: Events, description: Type.Optional(Description) }, { additionalProperties: false }),
        response: { 201: Type.Intersect([Subscription, Type.Object({ secret: Type.String() })]), ...ProblemResponses },
      },
      config: { ...access, rateLimit: { max: 20, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const created = await svc.create(requireCtx(request), request.body);
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.patch(
    '/api/v1/org/event-hooks/:id',
    {
      bodyLimit: 8 * 1024,
      schema: {
        operationId: 'updateEventHook',
        summary: 'Change, enable or disable an event webhook',
        tags,
        params: Type.Object({ id: Id }),
        body: Type.Object({ url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: Subscription, ...ProblemResponses },
      },
      config: { ...access, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request) => svc.update(requireCtx(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/org/event-hooks/:id',
    { schema: { operationId: 'deleteEventHook', summary: 'Remove an event webhook', tags, params: Type.Object({ id: Id }), response: { 204: NoContent, ...ProblemResponses } }, config: access },
    async (request, reply) => {
      await svc.remove(requireCtx(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/org/event-hooks/:id/rotate-secret',
    {
      schema: { operationId: 'rotateEventHookSecret', summary: 'Replace the signing secret (shown once)', tags, params: Type.Object({ id: Id }), response: { 200: Type.Object({ secret: Type.String() }), ...ProblemResponses } },
      config: { ...access, rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return svc.rotateSecret(requireCtx(request), request.params.id);
    },
  );

  app.get(
    '/api/v1/org/event-hooks/:id/deliveries',
    {
      schema: {
        operationId: 'listEventHookDeliveries',
        summary: 'The delivery log of an event webhook (newest first)',
        tags,
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Delivery) }), ...ProblemResponses },
      },
      config: access,
    },
    async (request) => ({ items: await svc.deliveries(requireCtx(request), request.params.id, request.query.limit) }),
  );

  app.post(
    '/api/v1/org/event-hooks/:id/deliveries/:deliveryId/redeliver',
    {
      schema: {
        operationId: 'redeliverEventHook',
        summary: 'Send a finished delivery again, now',
        tags,
        params: Type.Object({ id: Id, deliveryId: Id }),
        response: { 202: Type.Object({ deliveryId: Type.String(), attempt: Type.Integer() }), ...ProblemResponses },
      },
      config: { ...access, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const p = request.params;
      return reply.code(202).send(await svc.redeliver(requireCtx(request), p.id, p.deliveryId));
    },
  );
}
