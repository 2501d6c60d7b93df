// Strict security headers. HSTS is deliberately off here: Caddy sets it once for every
// response, including errors it generates itself (DESIGN §1).
//
// @fastify/helmet is the source of truth for the values. Running it on every request cost
// ~40 µs per response (issue 19), so at start-up the plugin asks helmet once, in a throwaway
// Fastify instance registered with HELMET_OPTIONS, for the headers of each route kind,
// freezes them, and a response only copies the set its route asks for.
// A route opts out of the page headers with `config: { pageHeaders: false }`: a JSON answer
// to another server (e.g. Vapi's webhooks), never rendered by a browser, where the CSP and
// the frame and opener policies mean nothing; it keeps nosniff, permissions-policy and
// cache-control. A handler may still override a header it sets itself (e.g. the
// browser-call page's CSP).
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: no page headers (CSP, frame/opener/embedder policies) on this route's responses. */
    pageHeaders?: boolean;
  }
}

/** Exactly the options the app registered @fastify/helmet with when it ran per request. */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  hsts: false,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      mediaSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      upgradeInsecureRequests: null,
    },
  },
  crossOriginEmbedderPolicy: false,
  referrerPolicy: { policy: 'no-referrer' },
};

/** Server-to-server routes: helmet with every page-only header turned off (nosniff stays). */
export const HELMET_SERVER_ROUTE_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/** Not a helmet header; every response carries it. */
export const PERMISSIONS_POLICY = 'camera=(), geolocation=(), payment=(), usb=()';

export interface SecurityHeaderSets {
  /** Responses a browser may render (the default). */
  readonly page: Readonly<Record<string, string>>;
  /** Responses only another server reads (`pageHeaders: false`). */
  readonly server: Readonly<Record<string, string>>;
}

function asStrings(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number') out[k] = String(v);
    else if (Array.isArray(v)) out[k] = v.join(', ');
  }
  return out;
}

let built: Promise<SecurityHeaderSets> | undefined;

/** Asks @fastify/helmet once (per process) which headers each route kind gets. */
export function securityHeaderSets(): Promise<SecurityHeaderSets> {
  built ??= (async () => {
    const probe = Fastify({ logger: false });
    const captured: Record<string, Record<string, string>> = {};
    try {
      await probe.register(helmet, HELMET_OPTIONS);
      // Helmet's onRequest hooks have run when the handler starts; nothing else set headers.
      probe.get('/page', async (_request, reply) => {
        captured.page = asStrings(reply.getHeaders());
        return '';
      });
      probe.get('/server', { helmet: HELMET_SERVER_ROUTE_OPTIONS }, async (_request, reply) => {
        captured.server = asStrings(reply.getHeaders());
        return '';
      });
      for (const url of ['/page', '/server']) {
        const res = await probe.inject({ url });
        if (res.statusCode !== 200) throw new Error(`security header probe ${url} answered ${res.statusCode}`);
      }
    } finally {
      await probe.close();
    }
    if (!captured.page || !captured.server) throw new Error('security header probe captured nothing');
    return Object.freeze({
      page: Object.freeze({ ...captured.page, 'permissions-policy': PERMISSIONS_POLICY }),
      server: Object.freeze({ ...captured.server, 'permissions-policy': PERMISSIONS_POLICY }),
    });
  })();
  built.catch(() => {
    built = undefined;
  });
  return built;
}

export const securityHeadersPlugin = fp(
  async (app) => {
    const { page, server } = await securityHeaderSets();
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(request.routeOptions.config.pageHeaders === false ? server : page);
      done();
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      done(null, payload);
    });
  },
  { name: 'hirebox-security-headers' },
);
