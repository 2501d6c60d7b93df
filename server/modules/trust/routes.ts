// Public trust pages (issue 23): /trust (HTML), /trust.json with its detached Ed25519
// signature /trust.json.sig, the public key /trust/key.pem, and per-org views under
// /trust/<org-slug>. All read stored check results; nothing here runs a check.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { NotFoundError } from '../../core/errors.js';
import { Problem } from '../../core/schemas.js';
import { renderTrustPage, TRUST_CSS } from './render.js';
import type { TrustDocument, TrustService } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' }) }, { additionalProperties: false });
// A short cache keeps a busy page cheap, but never past the moment the first line would turn stale.
function cacheFor(doc: TrustDocument, now: number): string {
  const until = doc.lines.map((l) => (l.staleAfter ? Date.parse(l.staleAfter) : Infinity)).reduce((a, b) => Math.min(a, b), Infinity);
  const seconds = Math.max(0, Math.min(30, Math.floor((until - now) / 1000)));
  return seconds > 0 ? `public, max-age=${seconds}` : 'no-store';
}
const RATE = { max: 120, timeWindow: '1 minute' };

export async function trustRoutes(fastify: FastifyInstance, deps: { trust: TrustService; clock: () => Date }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { trust } = deps;
  const cache = (doc: TrustDocument) => cacheFor(doc, deps.clock().getTime());
  const sendJson = (reply: FastifyReply, doc: TrustDocument) => {
    const { body, signature } = trust.signDocument(doc);
    return reply.type('application/json; charset=utf-8').header('cache-control', cache(doc)).header('x-trust-signature', signature.toString('base64')).send(body);
  };
  const sendSig = (reply: FastifyReply, doc: TrustDocument) =>
    reply.type('application/octet-stream').header('cache-control', cache(doc)).header('content-disposition', 'attachment; filename="trust.json.sig"').send(trust.signDocument(doc).signature);
  const orgDoc = async (slug: string): Promise<TrustDocument> => {
    const doc = await trust.orgDocument(slug);
    if (!doc) throw new NotFoundError({ resource: 'Organisation' });
    return doc;
  };

  app.get(
    '/trust',
    { schema: { operationId: 'trustPage', tags: ['public'], response: { 200: Type.String() } }, config: { access: { public: 'the install trust page, for anyone' }, rateLimit: RATE } },
    async (_request, reply) => {
      const doc = await trust.installDocument();
      return reply.type('text/html; charset=utf-8').header('cache-control', cache(doc)).send(renderTrustPage(doc));
    },
  );
  app.get(
    '/trust.json',
    { schema: { operationId: 'trustJson', tags: ['public'], description: 'The trust page as JSON; its detached Ed25519 signature is /trust.json.sig (also in x-trust-signature, base64), the key /trust/key.pem.', response: { 200: Type.String() } }, config: { access: { public: 'the install trust page, signed' }, rateLimit: RATE } },
    async (_request, reply) => sendJson(reply, await trust.installDocument()),
  );
  app.get(
    '/trust.json.sig',
    { schema: { operationId: 'trustJsonSignature', tags: ['public'], hide: true }, config: { access: { public: 'signature of /trust.json' }, rateLimit: RATE } },
    async (_request, reply) => sendSig(reply, await trust.installDocument()),
  );
  app.get(
    '/trust/key.pem',
    { schema: { operationId: 'trustKey', tags: ['public'], response: { 200: Type.String() } }, config: { access: { public: "the install's audit signing public key" } } },
    async (_request, reply) => reply.type('application/x-pem-file').header('cache-control', 'public, max-age=3600').send(trust.publicKeyPem),
  );
  app.get(
    '/trust/trust.css',
    { schema: { operationId: 'trustCss', hide: true }, config: { access: { public: 'stylesheet of the trust pages' } } },
    async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(TRUST_CSS),
  );
  app.get(
    '/trust/:slug',
    { schema: { operationId: 'orgTrustPage', tags: ['public'], params: SlugParams, response: { 200: Type.String(), 400: Problem, 404: Problem } }, config: { access: { public: "an org's trust page, for its candidates and customers" }, rateLimit: RATE } },
    async (request, reply) => {
      const doc = await orgDoc(request.params.slug);
      return reply.type('text/html; charset=utf-8').header('cache-control', cache(doc)).send(renderTrustPage(doc));
    },
  );
  app.get(
    '/trust/:slug/trust.json',
    { schema: { operationId: 'orgTrustJson', tags: ['public'], params: SlugParams, response: { 200: Type.String(), 400: Problem, 404: Problem } }, config: { access: { public: "an org's trust page, signed" }, rateLimit: RATE } },
    async (request, reply) => sendJson(reply, await orgDoc(request.params.slug)),
  );
  app.get(
    '/trust/:slug/trust.json.sig',
    { schema: { operationId: 'orgTrustJsonSignature', tags: ['public'], hide: true, params: SlugParams, response: { 400: Problem, 404: Problem } }, config: { access: { public: "signature of an org's trust.json" }, rateLimit: RATE } },
    async (request, reply) => sendSig(reply, await orgDoc(request.params.slug)),
  );
}
