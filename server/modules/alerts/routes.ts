// HTTP for org alerts: the alert channel (settings:manage) and the recent alerts
// (admins and auditors: audit:read).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses } from '../../core/schemas.js';
import { ALERT_KINDS, type AlertService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Literals } from '../../plugins/route-types.js';

const Kind = Literals(ALERT_KINDS);

const SettingsView = Type.Object({
  emails: Type.Array(Type.String()),
  webhookUrl: Type.Union([Type.String(), Type.Null()]),
  webhookSecretSet: Type.Boolean(),
  kinds: Type.Array(Type.String()),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  /** Only in the answer that created the secret: shown once. */
  secret: Type.Optional(Type.String()),
});

const SettingsBody = Type.Object(
  {
    // The service enforces the limit of 5 with a clear message; this bounds the work.
    emails: Type.Array(Type.String({ minLength: 1, maxLength: 254 }), { maxItems: 20 }),
    webhookUrl: Type.Union([Type.String({ minLength: 8, maxLength: 2000 }), Type.Null()]),
    kinds: Type.Array(Kind, { maxItems: ALERT_KINDS.length * 2 }),
  },
  { additionalProperties: false },
);

const AlertItem = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  severity: Type.String(),
  summary: Type.String(),
  suppressed: Type.Integer(),
  emailStatus: Type.String(),
  webhookStatus: Type.String(),
  deliveryAttempts: Type.Integer(),
  createdAt: Type.String(),
});

export async function alertRoutes(fastify: FastifyInstance, deps: { alerts: AlertService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/org/alerts',
    {
      schema: { operationId: 'getAlertSettings', tags: ['alerts'], response: { 200: SettingsView, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.alerts.getSettings(requireCtx(request)),
  );

  app.put(
    '/api/v1/org/alerts',
    {
      bodyLimit: 16 * 1024,
      schema: { operationId: 'putAlertSettings', tags: ['alerts'], body: SettingsBody, response: { 200: SettingsView, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return deps.alerts.putSettings(requireCtx(request), request.body);
    },
  );

  app.post(
    '/api/v1/org/alerts/rotate-secret',
    {
      schema: { operationId: 'rotateAlertSecret', tags: ['alerts'], response: { 200: Type.Object({ secret: Type.String() }), ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' }, rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return deps.alerts.rotateSecret(requireCtx(request));
    },
  );

  app.get(
    '/api/v1/alerts',
    {
      schema: {
        operationId: 'listAlerts',
        tags: ['alerts'],
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }), cursor: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(AlertItem), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...ProblemResponses },
      },
      // Admins and auditors both hold audit:read: alerts are part of the security record.
      config: { access: { permission: 'audit:read' } },
    },
    async (request) => deps.alerts.list(requireCtx(request), request.query),
  );
}
