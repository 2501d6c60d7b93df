// Members' private iCal feeds: create/rotate and revoke through the API (the member's own
// session), read through an unguessable URL any calendar client can subscribe to.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses } from '../../core/schemas.js';
import type { CalendarFeedService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NoContent } from '../../plugins/route-types.js';

export async function calendarFeedRoutes(fastify: FastifyInstance, deps: { feeds: CalendarFeedService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/me/calendar-feed',
    {
      schema: {
        operationId: 'createCalendarFeed',
        tags: ['interviews'],
        response: { 201: Type.Object({ url: Type.String() }), ...ProblemResponses },
      },
      // Whoever may see interviews (hiring managers: their assigned jobs) may subscribe to them.
      config: { access: { permission: 'applications:read' }, rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => reply.code(201).header('cache-control', 'no-store').send(await deps.feeds.create(requireCtx(request))),
  );

  app.delete(
    '/api/v1/me/calendar-feed',
    {
      schema: { operationId: 'revokeCalendarFeed', tags: ['interviews'], response: { 204: NoContent, ...ProblemResponses } },
      config: { access: { permission: 'applications:read' } },
    },
    async (request, reply) => {
      await deps.feeds.revoke(requireCtx(request));
      return reply.code(204).send();
    },
  );

  app.get(
    '/ical/:file',
    {
      schema: {
        operationId: 'calendarFeed',
        tags: ['public'],
        params: Type.Object({ file: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.String(), 400: Problem, 404: Problem },
      },
      config: { access: { public: 'member calendar feed (token is the credential)' }, rateLimit: { max: 60, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { file } = request.params;
      const body = await deps.feeds.feed(file.endsWith('.ics') ? file.slice(0, -4) : '');
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'private, no-cache')
        .header('x-robots-tag', 'noindex')
        .header('referrer-policy', 'no-referrer')
        .send(body);
    },
  );
}
