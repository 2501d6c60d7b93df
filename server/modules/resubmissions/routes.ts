// The candidate's confirmation of a held re-submission (issue 14, M2): a server-rendered
// page (no scripts, strict CSP) with a form that POSTs the confirmation. The token in the
// path is the credential; unknown, malformed, expired and used tokens get problem+json.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Problem } from '../../core/schemas.js';
import { renderResubmissionConfirm, renderResubmissionConfirmed } from '../public/index.js';
import { candidateTranslator } from '../../plugins/locale.js';
import type { ResubmissionService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const TokenParams = Type.Object({ token: Type.String({ minLength: 43, maxLength: 43, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });
const Errors = { 400: Problem, 404: Problem, 410: Problem, 415: Problem, 429: Problem };

function wantsHtml(accept: string | undefined): boolean {
  const a = accept ?? '';
  return a.includes('text/html') && !a.includes('application/json');
}

export async function resubmissionRoutes(fastify: FastifyInstance, deps: { resubmissions: ResubmissionService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Scoped to this plugin: the confirmation form posts urlencoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.get(
    '/apply/confirm/:token',
    {
      schema: { operationId: 'resubmissionConfirmPage', tags: ['public'], params: TokenParams, response: { 200: Type.String(), ...Errors } },
      config: { access: { public: 'candidate confirms a re-submitted CV (the token is the credential)' }, rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      const p = await deps.resubmissions.page(token);
      const tr = candidateTranslator(request, reply, { content: p.locale, timeZone: p.timeZone });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderResubmissionConfirm({ ...p, token }, tr, request.url));
    },
  );

  app.post(
    '/apply/confirm/:token',
    {
      schema: {
        operationId: 'confirmResubmission',
        tags: ['public'],
        params: TokenParams,
        body: Type.Object({ confirm: Type.Literal('yes') }, { additionalProperties: false }),
        response: { 200: Type.Union([Type.Object({ status: Type.Literal('confirmed') }), Type.String()]), 413: Problem, ...Errors },
      },
      config: { access: { public: 'candidate confirms a re-submitted CV (the token is the credential)' }, rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { token } = request.params;
      const done = await deps.resubmissions.confirm(token, request.id);
      reply.header('cache-control', 'no-store');
      if (wantsHtml(request.headers.accept)) return reply.type('text/html; charset=utf-8').send(renderResubmissionConfirmed(done, candidateTranslator(request, reply, { content: done.locale, timeZone: done.timeZone })));
      return { status: 'confirmed' as const };
    },
  );
}
