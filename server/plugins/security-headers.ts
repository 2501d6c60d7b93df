// Strict security headers. HSTS is deliberately off here: Caddy sets it once for every
// response, including errors it generates itself (DESIGN §1).
//
// The header sets are built once, when the app starts, and a response only copies the
// set its route asks for (issue 19: @fastify/helmet rebuilt them on every request, ~40 µs
// per response). A route opts out of the page headers with `config: { pageHeaders: false }`:
// a JSON answer to another server (e.g. Vapi's webhooks), never rendered by a browser,
// where the CSP and the frame and opener policies mean nothing; it keeps nosniff,
// permissions-policy and cache-control. A handler may still override a header it sets
// itself (e.g. the browser-call page's CSP).
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: no page headers (CSP, frame/opener/embedder policies) on this route's responses. */
    pageHeaders?: boolean;
  }
}

const CSP_DIRECTIVES: readonly [string, string][] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['media-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'self'"],
  ['frame-ancestors', "'none'"],
];

const PERMISSIONS_POLICY = 'camera=(), geolocation=(), payment=(), usb=()';

/** Every response: what a browser or a proxy must never do with it. */
export const SERVER_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'permissions-policy': PERMISSIONS_POLICY,
});

/** Responses a browser may render (the default): the same values @fastify/helmet produced. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join(';'),
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  ...SERVER_HEADERS,
});

export const securityHeadersPlugin = fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(request.routeOptions.config.pageHeaders === false ? SERVER_HEADERS : PAGE_HEADERS);
      done();
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      done(null, payload);
    });
  },
  { name: 'hirebox-security-headers' },
);
