// Security headers built once per route configuration (issue 19): the exact values the
// app sent when @fastify/helmet built them per request, page vs server-to-server routes,
// a handler's own override, not-found answers and cache-control.
import t from 'tap';
import Fastify from 'fastify';
import { PAGE_HEADERS, securityHeadersPlugin } from '../../server/plugins/security-headers.js';

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
  t.ok(Object.isFrozen(PAGE_HEADERS));
  const after = await app.inject({ url: '/page' });
  t.equal(after.headers['content-security-policy'], EXPECTED_PAGE['content-security-policy'], 'the next response has the global CSP again');
});
