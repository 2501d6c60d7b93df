// GET /.well-known/security.txt (RFC 9116) and the disclosure policy it points to; both
// public, plain text, built from config (SECURITY_CONTACT, SECURITY_TXT_EXPIRES, ...).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../core/config.js';
import { renderDisclosurePolicy, renderSecurityTxt } from './security-txt.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

export interface WellKnownDeps {
  config: Pick<Config, 'securityTxt' | 'publicUrl'>;
  clock: () => Date;
}

const TEXT = 'text/plain; charset=utf-8';

export async function wellKnownRoutes(fastify: FastifyInstance, deps: WellKnownDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { securityTxt, publicUrl } = deps.config;
  app.get(
    '/.well-known/security.txt',
    {
      schema: { operationId: 'securityTxt', hide: true, response: { 200: Type.String() } },
      config: { access: { public: 'RFC 9116 security contact, for anyone' } },
    },
    async (_request, reply) => reply.type(TEXT).header('cache-control', 'public, max-age=3600').send(renderSecurityTxt(securityTxt, publicUrl, deps.clock())),
  );
  // RFC 9116 §3: the legacy top-level location may redirect to the well-known one.
  app.get(
    '/security.txt',
    { schema: { operationId: 'securityTxtLegacy', hide: true }, config: { access: { public: 'RFC 9116 legacy location' } } },
    async (_request, reply) => reply.redirect('/.well-known/security.txt', 301),
  );
  // The default Policy: target (SECURITY_POLICY_URL may point elsewhere instead).
  const policy = renderDisclosurePolicy(securityTxt, publicUrl);
  app.get(
    '/security/disclosure',
    {
      schema: { operationId: 'disclosurePolicy', hide: true, response: { 200: Type.String() } },
      config: { access: { public: 'vulnerability disclosure policy, for anyone' } },
    },
    async (_request, reply) => reply.type(TEXT).header('cache-control', 'public, max-age=3600').send(policy),
  );
}
