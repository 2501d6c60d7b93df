// HTTP for the org's privacy contact and its candidate-notice versions (admins).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses, Uuid } from '../../core/schemas.js';
import type { NoticeService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Errors = { ...ProblemResponses, 422: Problem };
const Contact = Type.Object({ email: Nullable(Type.String()), url: Nullable(Type.String()) });

const NoticeSettings = Type.Object({
  privacyContact: Nullable(Contact),
  updatedAt: Nullable(Type.String()),
  updatedBy: Nullable(Uuid),
  retentionDays: Type.Integer(),
  noticeVersion: Type.Integer({ description: 'The version of the candidate notices as shown now; consent records it.' }),
});

const Versions = Type.Object({
  versions: Type.Array(
    Type.Object({ version: Type.Integer(), contentSha256: Type.String(), retentionDays: Type.Integer(), privacyContact: Contact, createdAt: Type.String() }),
  ),
});

export async function noticeRoutes(fastify: FastifyInstance, deps: { notices: NoticeService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/org/privacy-contact',
    {
      schema: { operationId: 'getPrivacyContact', tags: ['privacy'], description: 'The privacy contact every candidate notice names; required before a job can be published.', response: { 200: NoticeSettings, ...Errors } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.notices.get(requireCtx(request)),
  );

  app.put(
    '/api/v1/org/privacy-contact',
    {
      schema: {
        operationId: 'setPrivacyContact',
        tags: ['privacy'],
        description: 'Email and/or https URL. Changing it makes a new notice version.',
        body: Type.Object(
          { email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))), url: Type.Optional(Nullable(Type.String({ maxLength: 500 }))) },
          { additionalProperties: false },
        ),
        response: { 200: NoticeSettings, ...Errors },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.notices.setContact(requireCtx(request), request.body),
  );

  app.get(
    '/api/v1/org/notice-versions',
    {
      schema: { operationId: 'listNoticeVersions', tags: ['privacy'], description: 'Every version of the candidate notices, newest first (content hash and the facts it stated).', response: { 200: Versions, ...Errors } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.notices.versions(requireCtx(request)),
  );
}
