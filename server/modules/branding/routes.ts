// Admin API for the careers-site branding (issue 20 item 4). The logo is sent as the raw
// request body (Content-Type image/png, image/jpeg or image/webp); its bytes decide its type.
import type { FastifyInstance } from 'fastify';
import { UnsupportedMediaTypeError } from '../../core/errors.js';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses } from '../../core/schemas.js';
import { Branding, BrandingBody } from './schemas.js';
import { LOGO_MAX_BYTES, type BrandingService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Errors = { ...ProblemResponses, 413: ProblemResponses[400], 415: ProblemResponses[400], 422: ProblemResponses[400] };

export async function brandingRoutes(fastify: FastifyInstance, deps: { branding: BrandingService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(['image/png', 'image/jpeg', 'image/webp'], { parseAs: 'buffer', bodyLimit: LOGO_MAX_BYTES }, (_request, body, done) => done(null, body));

  app.get(
    '/api/v1/org/branding',
    { schema: { operationId: 'getBranding', tags: ['org'], summary: 'Careers-site branding of the org', response: { 200: Branding, ...Errors } }, config: { access: { permission: 'settings:manage' } } },
    async (request) => deps.branding.get(requireCtx(request)),
  );

  app.put(
    '/api/v1/org/branding',
    {
      schema: { operationId: 'updateBranding', tags: ['org'], summary: 'Set display name, accent colour, website and embed origins', body: BrandingBody, response: { 200: Branding, ...Errors } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => deps.branding.update(requireCtx(request), request.body),
  );

  app.put(
    '/api/v1/org/branding/logo',
    {
      bodyLimit: LOGO_MAX_BYTES,
      schema: {
        operationId: 'uploadBrandingLogo',
        tags: ['org'],
        summary: 'Upload the logo (raw PNG, JPEG or WebP body, at most 256 KiB and 2048×2048)',
        consumes: ['image/png', 'image/jpeg', 'image/webp'],
        response: { 200: Branding, ...Errors },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => {
      if (!Buffer.isBuffer(request.body)) throw new UnsupportedMediaTypeError({ detail: 'Send the logo as the request body with Content-Type image/png, image/jpeg or image/webp.' });
      return deps.branding.setLogo(requireCtx(request), request.body);
    },
  );

  app.delete(
    '/api/v1/org/branding/logo',
    { schema: { operationId: 'deleteBrandingLogo', tags: ['org'], summary: 'Remove the logo', response: { 200: Branding, ...Errors } }, config: { access: { permission: 'settings:manage' } } },
    async (request) => deps.branding.removeLogo(requireCtx(request)),
  );
}
