// Security headers built once per route configuration (issue 19): the frozen sets are what
// @fastify/helmet itself produces per request, page vs server-to-server routes, a handler's
// own override, not-found answers and cache-control.
import t from 'tap';
import Fastify from 'fastify';
import helmet from '@fastify/helmet';
import {
  HELMET_OPTIONS,
  HELMET_SERVER_ROUTE_OPTIONS,
  securityHeaderSets,
  securityHeadersPlugin,
} from '../../server/plugins/security-headers.js';

const app = Fastify();
await app.register(securityHeadersPlugin);
app.get('/page', async () => ({ ok: true }));
app.get('/server', { config: { pageHeaders: false } }, async () => ({ ok: true }));
app.get('/own-csp', async (_request, reply) => {
  reply.header('content-security-policy', "default-src 'none'").header('cache-control', 'private, max-age=60');
  return { ok: true };
});
t.teardown(() => app.close());

const EXPECTED_PAGE = {
  'content-security-policy':
    "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';media-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  'permissions-policy': 'camera=(), geolocation=(), payment=(), usb=()',
  'cache-control': 'no-store',
};
const pick = (headers: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, headers[k]]));

t.test('a page route gets every page header with the values helmet produced', async (t) => {
  const res = await app.inject({ url: '/page' });
  t.same(pick(res.headers, Object.keys(EXPECTED_PAGE)), EXPECTED_PAGE);
  t.notOk('strict-transport-security' in res.headers, 'HSTS is left to Caddy');
});

t.test('not-found answers carry the page headers too', async (t) => {
  const res = await app.inject({ url: '/nowhere' });
  t.equal(res.statusCode, 404);
  t.same(pick(res.headers, Object.keys(EXPECTED_PAGE)), EXPECTED_PAGE);
});

t.test('a server-to-server route keeps nosniff, permissions-policy and cache-control only', async (t) => {
  const res = await app.inject({ url: '/server' });
  for (const k of Object.keys(EXPECTED_PAGE)) {
    if (['x-content-type-options', 'permissions-policy', 'cache-control'].includes(k)) t.equal(res.headers[k], EXPECTED_PAGE[k as keyof typeof EXPECTED_PAGE], k);
    else t.notOk(k in res.headers, `no ${k}`);
  }
});

t.test("a handler's own CSP and cache-control win; the shared set is not changed by it", async (t) => {
  const res = await app.inject({ url: '/own-csp' });
  t.equal(res.headers['content-security-policy'], "default-src 'none'");
  t.equal(res.headers['cache-control'], 'private, max-age=60');
  const sets = await securityHeaderSets();
  t.ok(Object.isFrozen(sets.page) && Object.isFrozen(sets.server));
  const after = await app.inject({ url: '/page' });
  t.equal(after.headers['content-security-policy'], EXPECTED_PAGE['content-security-policy'], 'the next response has the global CSP again');
});

// The app as it was before issue 19: helmet registered and run on every request.
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type']);
const securityPart = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => !TRANSPORT.has(k)));

t.test('the frozen sets equal what @fastify/helmet sets per request', async (t) => {
  const reference = Fastify();
  await reference.register(helmet, HELMET_OPTIONS);
  reference.addHook('onSend', async (_request, reply) => {
    reply.header('permissions-policy', 'camera=(), geolocation=(), payment=(), usb=()');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  reference.get('/page', async () => ({ ok: true }));
  reference.get('/server', { helmet: HELMET_SERVER_ROUTE_OPTIONS }, async () => ({ ok: true }));
  t.teardown(() => reference.close());

  for (const url of ['/page', '/server', '/nowhere']) {
    const [ours, theirs] = await Promise.all([app.inject({ url }), reference.inject({ url })]);
    t.equal(ours.statusCode, theirs.statusCode, `${url} status`);
    t.same(securityPart(ours.headers), securityPart(theirs.headers), `${url}: same security headers as helmet per request`);
    t.ok(Object.keys(securityPart(ours.headers)).length >= 3, `${url} has security headers at all`);
  }

  const sets = await securityHeaderSets();
  const page = await reference.inject({ url: '/page' });
  const { 'cache-control': _pageCache, ...pageFromHelmet } = securityPart(page.headers);
  t.same(sets.page, pageFromHelmet, 'page set is exactly helmet + permissions-policy');
  const server = await reference.inject({ url: '/server' });
  const { 'cache-control': _serverCache, ...serverFromHelmet } = securityPart(server.headers);
  t.same(sets.server, serverFromHelmet, 'server set is exactly helmet (page headers off) + permissions-policy');
  t.same(Object.keys(sets.server).sort(), ['permissions-policy', 'x-content-type-options']);
});
