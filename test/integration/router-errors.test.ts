// Issue 19 (found by the route fuzzer): errors the router raises before any route runs — a
// path parameter longer than Fastify's maxParamLength, a malformed percent-encoding — used
// to leave as plain JSON echoing the path. They are problem+json like every other refusal.
import t from 'tap';
import { buildTestApp, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t);
const admin = await createOrgWithMember(ctx, 'admin');

t.test('an over-long path parameter: 414 problem+json', async (t) => {
  for (const url of [`/api/v1/jobs/${'a'.repeat(300)}`, `/api/v1/auth/sso/${'%CE%A9'.repeat(200)}/start`]) {
    const res = await ctx.app.inject({ method: 'GET', url, headers: admin.headers });
    t.equal(res.statusCode, 414, url.slice(0, 40));
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
    t.match(res.json(), { status: 414, title: 'URI Too Long' });
    t.notMatch(res.body, /FST_ERR/, 'no framework internals');
  }
});

t.test('a malformed percent-encoding in a path parameter: 400 problem+json', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs/%E0%A4%A', headers: admin.headers });
  t.equal(res.statusCode, 400);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  t.match(res.json(), { status: 400, detail: 'The URL is not valid.' });
});
