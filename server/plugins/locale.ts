// The candidate's language on every candidate-facing request (issue 22 item 1).
//
// An onRequest hook gives each request under a candidate path a first locale from what the
// request itself says (?lang=, the language cookie, Accept-Language), so even an error
// raised before a route runs (schema, size, rate limit) is answered in it. A route that
// knows the content's language (the job's, or the one stored on the application) calls
// candidateTranslator, which settles the locale, remembers an explicit ?lang= choice in a
// cookie and sets Content-Language. The problem plugin reads request.candidateLocale.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pickLocale, validTimeZone, type Locale } from '../core/i18n/locales.js';
import { translator, type Translator } from '../core/i18n/translator.js';
import { partField } from './route-types.js';

export const LANG_COOKIE = 'hirebox-lang';
const ONE_YEAR_S = 365 * 24 * 3600;

/** Where candidates are: public job pages and API, status page, interview, contest and confirmation links. */
export const CANDIDATE_PATH_PREFIXES = ['/api/v1/public/', '/jobs/', '/apply/', '/portal/', '/i/', '/contest/', '/privacy/'] as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on candidate-facing requests: the language their answers (errors included) are in. */
    candidateLocale: Locale | null;
  }
}

export function isCandidatePath(url: string): boolean {
  return CANDIDATE_PATH_PREFIXES.some((p) => url.startsWith(p));
}

function queryLang(request: FastifyRequest): unknown {
  return partField(request.query, 'lang') ?? new URLSearchParams(request.url.split('?')[1] ?? '').get('lang');
}

function sources(request: FastifyRequest, content: string | null | undefined) {
  return { query: queryLang(request), cookie: request.cookies?.[LANG_COOKIE], content, acceptLanguage: request.headers['accept-language'] };
}

/**
 * The translator for this candidate request. `content` is the language the page's content
 * belongs to (job or application); `timeZone` the candidate's zone when known.
 */
export function candidateTranslator(request: FastifyRequest, reply: FastifyReply, opts: { content?: string | null; timeZone?: string | null; secureCookie?: boolean } = {}): Translator {
  const locale = pickLocale(sources(request, opts.content));
  const explicit = queryLang(request);
  if (explicit === locale && request.cookies?.[LANG_COOKIE] !== locale) {
    reply.setCookie(LANG_COOKIE, locale, { path: '/', maxAge: ONE_YEAR_S, sameSite: 'lax', httpOnly: true, secure: opts.secureCookie ?? request.protocol === 'https' });
  }
  request.candidateLocale = locale;
  reply.header('content-language', locale);
  reply.header('vary', 'Accept-Language, Cookie');
  return translator(locale, validTimeZone(opts.timeZone));
}

export const localePlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('candidateLocale', null);
    app.addHook('onRequest', async (request) => {
      if (isCandidatePath(request.url)) request.candidateLocale = pickLocale(sources(request, null));
    });
  },
  { name: 'hirebox-locale', dependencies: ['@fastify/cookie'] },
);
