// POST /webhooks/vapi/:hookId (raw body, verified by the service) and the admin API for
// the org's webhook endpoints. The raw-body parser lives in an encapsulated child
// context, so no other route's body parsing changes.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import { IdParams } from '../../core/schemas.js';
import { WEBHOOK_BODY_LIMIT, type WebhookService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NoContent } from '../../plugins/route-types.js';

const HeaderName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
const Endpoint = Type.Object({
  id: Uuid,
  url: Type.String(),
  mode: Type.String(),
  signatureHeader: Type.String(),
  timestampHeader: Type.String(),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export async function webhookRoutes(fastify: FastifyInstance, deps: { webhooks: WebhookService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { webhooks } = deps;

  await app.register(async (untypedScope) => {
    const scoped = untypedScope.withTypeProvider<TypeBoxTypeProvider>();
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));
    scoped.post(
      '/webhooks/vapi/:hookId',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          operationId: 'vapiWebhook',
          tags: ['webhooks'],
          description:
            'Vapi server messages. Verified by HMAC-SHA256 over `${timestamp}.${rawBody}` (x-signature / x-timestamp, 5-minute window), or by bearer / X-Vapi-Secret, as the endpoint is configured. Stored once per (call, type, timestamp) and processed by the worker.',
          params: Type.Object({ hookId: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }, { additionalProperties: true }), 400: Problem, 401: Problem, 413: Problem, 503: Problem },
        },
        // The signature is the gate; Vapi sends from few addresses at high rates, so the
        // per-IP ceiling would throttle genuine traffic. Unknown hooks are cached briefly.
        // A JSON answer to Vapi's servers, never rendered by a browser: no page headers
        // (security-headers.ts); nosniff, permissions-policy and cache-control stay.
        config: { access: { public: 'Vapi server messages, verified by signature' }, rateLimit: false, pageHeaders: false },
      },
      async (request) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        return webhooks.ingest(request.params.hookId, request.headers, raw, request.id);
      },
    );
  });

  app.post(
    '/api/v1/webhooks/vapi',
    {
      schema: {
        operationId: 'createVapiWebhookEndpoint',
        tags: ['webhooks'],
        description: 'Creates an endpoint; the secret is shown once (configure it as the HMAC/bearer credential of the Vapi server URL).',
        body: Type.Object(
          {
            mode: Type.Union([Type.Literal('hmac'), Type.Literal('bearer'), Type.Literal('x-vapi-secret')], { default: 'hmac' }),
            signatureHeader: Type.Optional(HeaderName),
            timestampHeader: Type.Optional(HeaderName),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Intersect([Endpoint, Type.Object({ secret: Type.String() })]), ...ProblemResponses },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request, reply) => {
      const body = request.body;
      return reply.code(201).send(await webhooks.createEndpoint(requireCtx(request), body));
    },
  );

  app.get(
    '/api/v1/webhooks/vapi',
    {
      schema: { operationId: 'listVapiWebhookEndpoints', tags: ['webhooks'], response: { 200: Type.Object({ endpoints: Type.Array(Endpoint) }), ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => ({ endpoints: await webhooks.listEndpoints(requireCtx(request)) }),
  );

  app.delete(
    '/api/v1/webhooks/vapi/:id',
    {
      schema: { operationId: 'revokeVapiWebhookEndpoint', tags: ['webhooks'], params: IdParams, response: { 204: NoContent, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request, reply) => {
      await webhooks.revokeEndpoint(requireCtx(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
