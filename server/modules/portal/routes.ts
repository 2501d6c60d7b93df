// HTTP for the candidate status page (issue 22 item 2). Public routes: the token in the
// path or the portal session cookie is the credential. Pages are HTML under the strict
// CSP; a browser (Accept: text/html) gets errors as a clear page with the right status,
// any other client problem+json. The session cookie is HttpOnly, SameSite=Strict, Secure
// (except plain-http localhost in development) and scoped to /portal/<org>; every POST
// is same-origin only (checkSameOrigin) and, with a session, carries the session's CSRF
// token (form field or header).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../core/db.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../core/errors.js';
import { translator, type Translator } from '../../core/i18n/translator.js';
import { candidateTranslator } from '../../plugins/locale.js';
import { localisedDetail, sendProblem, toAppError } from '../../plugins/problem.js';
import { csrfTokenFor, safeEqual } from '../../core/tokens.js';
import { resolvePublicOrg } from '../public/index.js';
import { renderDone, renderEnter, renderError, renderSent, renderStart, renderStatus, type PageContext } from './html.js';
import type { PortalLinks, PortalOrg } from './links.js';
import { middayOf } from './text.js';
import { CsrfBody, IdParams, LinkBody, OrgParams, PageErrors, RequestBody, RequestResult, TokenParams, WithdrawBody } from './schemas.js';
import { SESSION_TTL_MS, type PortalService, type PortalSession } from './service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partField, sendRaw } from '../../plugins/route-types.js';

export interface PortalRouteOptions {
  db: Db;
  portal: PortalService;
  links: PortalLinks;
  publicOrigin: string;
  /** Secure cookie (false only for plain-http localhost outside production). */
  secureCookie: boolean;
  /** Link asks per IP per minute (tests use a small one). */
  linkRateLimit?: number;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function wantsHtml(request: FastifyRequest): boolean {
  const a = request.headers.accept ?? '';
  return a.includes('text/html') && !a.includes('application/json');
}

export async function portalRoutes(fastify: FastifyInstance, deps: PortalRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const cookieName = deps.secureCookie ? '__Secure-hirebox-portal' : 'hirebox-portal';
  const cookiePath = (org: PortalOrg): string => `/portal/${org.slug}`;
  const html = (reply: FastifyReply, body: string, status = 200): FastifyReply => reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  // Scoped to this plugin: the pages' forms post urlencoded (small bodies only).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 2048 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.setErrorHandler((error, request, reply) => {
    const e = toAppError(error as Parameters<typeof toAppError>[0]);
    if (e.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status: e.status }, 'request rejected');
    if (!wantsHtml(request) || e.status >= 500) return sendProblem(reply, request, e);
    for (const [name, value] of Object.entries(e.headers)) reply.header(name, value);
    const slug = partField(request.params, 'orgSlug');
    const org = typeof slug === 'string' && slug && e.status !== 404 ? { slug, name: '' } : null;
    // The page is in the language the request settled on (the onRequest hook or the route).
    const tr = translator(request.candidateLocale ?? 'en');
    return html(reply, renderError({ tr, path: request.url }, org, localisedDetail(request, e) ?? e.title), e.status);
  });
  app.addHook('onClose', async () => deps.links.drain());

  async function orgOf(request: FastifyRequest): Promise<PortalOrg> {
    // Every route calling this has :orgSlug in its path.
    const orgSlug = partField(request.params, 'orgSlug');
    const org = typeof orgSlug === 'string' ? await resolvePublicOrg(deps.db, orgSlug) : null;
    if (!org) throw new NotFoundError({ resource: 'Organisation', detail: 'There is no status page here.', i18n: { key: 'portal.errorNoPortal' } });
    return { id: org.id, slug: org.slug, name: org.name };
  }

  async function sessionOf(request: FastifyRequest, org: PortalOrg): Promise<PortalSession | null> {
    const token = request.cookies[cookieName];
    if (!token || !TOKEN.test(token)) return null;
    return deps.portal.session(org, token);
  }

  /**
   * Same-origin POSTs only. The app sends Referrer-Policy: no-referrer, under which browsers
   * send `Origin: null` on form posts; they also send Sec-Fetch-Site, which says where the
   * request came from whatever the referrer policy. Either a matching Origin, or
   * Sec-Fetch-Site same-origin with no real Origin, passes; anything else is a 403.
   */
  function checkSameOrigin(request: FastifyRequest): void {
    const origin = request.headers.origin;
    if (origin === deps.publicOrigin) return;
    if (request.headers['sec-fetch-site'] === 'same-origin' && (origin === undefined || origin === 'null')) return;
    throw new ForbiddenError({ detail: 'Cross-origin request refused (Origin does not match).', i18n: { key: 'portal.errorCrossOrigin' } });
  }

  /** The session of a POST, with its Origin and CSRF token checked; 401 without one. */
  async function postSession(request: FastifyRequest): Promise<PortalSession> {
    const org = await orgOf(request);
    const s = await sessionOf(request, org);
    if (!s) throw new UnauthorizedError({ detail: 'You are not signed in, or your session has ended. Ask for a new sign-in link.', i18n: { key: 'portal.errorNotSignedIn' } });
    checkSameOrigin(request);
    const sent = partField(request.body, 'csrf') ?? request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(s.token))) throw new ForbiddenError({ detail: 'Missing or invalid CSRF token.', i18n: { key: 'portal.errorCsrf' } });
    return s;
  }

  const limit = (max: number) => ({ max, timeWindow: '1 minute' });

  /**
   * The page's language (issue 22 item 1): the candidate's choice (?lang, cookie), else the
   * language of their latest application when signed in, else the browser's; the zone is
   * their application's.
   */
  async function pageContext(request: FastifyRequest, reply: FastifyReply, s: PortalSession | null): Promise<PageContext> {
    const lang = s ? await deps.portal.language(s) : { locale: null, timeZone: null };
    const tr: Translator = candidateTranslator(request, reply, { content: lang.locale, timeZone: lang.timeZone, secureCookie: deps.secureCookie });
    return { tr, path: request.url };
  }

  app.get(
    '/portal/:orgSlug',
    {
      schema: { operationId: 'portalPage', tags: ['portal'], params: OrgParams, response: { 200: Type.String(), 400: Type.String(), 404: Type.String() } },
      config: { access: { public: 'candidate status page (the portal session cookie is the credential), or the form asking for a sign-in link' }, rateLimit: limit(60) },
    },
    async (request, reply) => {
      const org = await orgOf(request);
      const s = await sessionOf(request, org);
      const c = await pageContext(request, reply, s);
      if (!s) return html(reply, renderStart(c, org));
      return html(reply, renderStatus(c, org, await deps.portal.status(s), csrfTokenFor(s.token)));
    },
  );

  app.post(
    '/api/v1/public/portal/:orgSlug/link',
    {
      schema: {
        operationId: 'requestPortalLink',
        tags: ['portal'],
        description:
          'Asks for a sign-in link to the candidate status page. JSON or a urlencoded form: email. Always 202, whether or not the address belongs to a candidate of this org (nothing to enumerate); the link is mailed to the address on file. Rate limited per IP and per address (429).',
        params: OrgParams,
        body: LinkBody,
        response: { 202: Type.Union([Type.Object({ status: Type.Literal('accepted') }), Type.String()]), ...PageErrors },
      },
      config: { access: { public: 'candidates ask for a status-page link without an account' }, rateLimit: limit(deps.linkRateLimit ?? 10) },
    },
    async (request, reply) => {
      const org = await orgOf(request);
      const c = await pageContext(request, reply, null);
      await deps.links.request(org, request.body.email.trim(), request.id, c.tr.locale);
      if (wantsHtml(request)) return html(reply, renderSent(c, org), 202);
      return reply.code(202).header('cache-control', 'no-store').send({ status: 'accepted' as const });
    },
  );

  app.get(
    '/portal/:orgSlug/enter/:token',
    {
      schema: { operationId: 'portalEnterPage', tags: ['portal'], params: TokenParams, response: { 200: Type.String(), ...PageErrors } },
      // A GET changes nothing: a mail scanner following the link does not use it up.
      config: { access: { public: 'candidate opens the mailed sign-in link (the token is the credential)' }, rateLimit: limit(30) },
    },
    async (request, reply) => {
      const org = await orgOf(request);
      const { token } = request.params;
      const c = await pageContext(request, reply, null);
      await deps.portal.checkLink(org, token);
      return html(reply, renderEnter(c, org, token));
    },
  );

  app.post(
    '/portal/:orgSlug/enter/:token',
    {
      schema: { operationId: 'portalSignIn', tags: ['portal'], params: TokenParams, response: { 303: Type.Null(), ...PageErrors } },
      config: { access: { public: 'candidate exchanges the sign-in link for a session (the token is the credential)' }, rateLimit: limit(10) },
    },
    async (request, reply) => {
      const org = await orgOf(request);
      checkSameOrigin(request);
      const { token } = request.params;
      const session = await deps.portal.exchange(org, token, request.id);
      reply.setCookie(cookieName, session.token, { path: cookiePath(org), httpOnly: true, secure: deps.secureCookie, sameSite: 'strict', maxAge: Math.floor(SESSION_TTL_MS / 1000) });
      return reply.code(303).header('cache-control', 'no-store').redirect(cookiePath(org), 303);
    },
  );

  app.post(
    '/portal/:orgSlug/applications/:id/withdraw',
    {
      schema: { operationId: 'portalWithdraw', tags: ['portal'], params: IdParams, body: WithdrawBody, response: { 200: Type.Union([Type.Object({ status: Type.Literal('withdrawn') }), Type.String()]), ...PageErrors } },
      config: { access: { public: 'the signed-in candidate withdraws an application (portal session + CSRF)' }, rateLimit: limit(30) },
    },
    async (request, reply) => {
      const s = await postSession(request);
      const done = await deps.portal.withdraw(s, request.params.id, request.id);
      if (wantsHtml(request)) {
        const { tr } = await pageContext(request, reply, s);
        return html(reply, renderDone({ tr, path: request.url }, s.org, tr.t('portal.withdrawnTitle'), tr.t('portal.withdrawn', { job: done.jobTitle })));
      }
      return { status: 'withdrawn' as const };
    },
  );

  app.post(
    '/portal/:orgSlug/interviews/:id/open',
    {
      schema: { operationId: 'portalOpenInterview', tags: ['portal'], params: IdParams, body: Type.Optional(CsrfBody), response: { 303: Type.Null(), ...PageErrors } },
      config: { access: { public: 'the signed-in candidate opens the self-booking page of an interview (portal session + CSRF)' }, rateLimit: limit(30) },
    },
    async (request, reply) => {
      const s = await postSession(request);
      const token = await deps.portal.openInterview(s, request.params.id, request.id);
      return reply.header('cache-control', 'no-store').redirect(`/i/${token}`, 303);
    },
  );

  app.post(
    '/portal/:orgSlug/export',
    {
      schema: {
        operationId: 'portalExport',
        tags: ['portal'],
        description: "The signed-in candidate's data: the same JSON as GET /api/v1/candidates/:id/export (an access request's answer). Audited (candidate.exported, via portal); a few per hour.",
        params: OrgParams,
        body: Type.Optional(CsrfBody),
        response: { 200: Type.Object({ formatVersion: Type.Integer() }, { additionalProperties: true }), ...PageErrors },
      },
      config: { access: { public: 'the signed-in candidate downloads their data (portal session + CSRF)' }, rateLimit: limit(10) },
    },
    async (request, reply) => {
      const s = await postSession(request);
      const data = await deps.portal.export(s, request.id);
      return sendRaw(reply.header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="my-data.json"').type('application/json; charset=utf-8'), JSON.stringify(data));
    },
  );

  app.post(
    '/portal/:orgSlug/requests',
    {
      schema: {
        operationId: 'portalRequest',
        tags: ['portal'],
        description: "A human review or erasure request, entered in the org's privacy-request register (identity verified by the sign-in link). Asking again while one is open returns it.",
        params: OrgParams,
        body: RequestBody,
        response: { 200: Type.Union([RequestResult, Type.String()]), 201: RequestResult, ...PageErrors },
      },
      config: { access: { public: 'the signed-in candidate asks for a human review or erasure (portal session + CSRF)' }, rateLimit: limit(10) },
    },
    async (request, reply) => {
      const s = await postSession(request);
      const { type } = request.body;
      const r = await deps.portal.request(s, type, request.id);
      if (wantsHtml(request)) {
        const { tr } = await pageContext(request, reply, s);
        const text = tr.t(type === 'erasure' ? 'portal.requestDoneErasure' : 'portal.requestDoneHumanReview', { reference: r.reference, due: middayOf(r.dueOn) });
        return html(reply, renderDone({ tr, path: request.url }, s.org, tr.t('portal.requestTitle'), text));
      }
      return reply.code(r.created ? 201 : 200).send(r);
    },
  );

  app.post(
    '/portal/:orgSlug/sign-out',
    {
      schema: { operationId: 'portalSignOut', tags: ['portal'], params: OrgParams, body: Type.Optional(CsrfBody), response: { 200: Type.Union([Type.Object({ status: Type.Literal('signed_out') }), Type.String()]), ...PageErrors } },
      config: { access: { public: 'the signed-in candidate signs out (portal session + CSRF)' }, rateLimit: limit(30) },
    },
    async (request, reply) => {
      const s = await postSession(request);
      const c = await pageContext(request, reply, s);
      await deps.portal.signOut(s);
      reply.clearCookie(cookieName, { path: cookiePath(s.org), httpOnly: true, secure: deps.secureCookie, sameSite: 'strict' });
      if (wantsHtml(request)) return html(reply, renderDone(c, s.org, c.tr.t('portal.signedOutTitle'), c.tr.t('portal.signedOut')));
      return { status: 'signed_out' as const };
    },
  );
}
