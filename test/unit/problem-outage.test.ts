// Issue 19 fault suite: a backing service that is down or out of space answers 503
// problem+json, never a bare 500 (a full disk under the CV blobs answered 500 before).
import t from 'tap';
import Fastify from 'fastify';
import { problemPlugin } from '../../server/plugins/problem.js';

const cases: [string, { code?: string; message: string }][] = [
  ['disk full (53100)', { code: '53100', message: 'could not extend file "pg_tblspc/16385/PG_15/16384/16400": No space left on device' }],
  ['admin shutdown (57P01)', { code: '57P01', message: 'terminating connection due to administrator command' }],
  ['crash shutdown (57P02)', { code: '57P02', message: 'terminating connection because of crash of another server process' }],
  ['connection failure (08006)', { code: '08006', message: 'connection failure' }],
  ['connection terminated mid-query', { message: 'Connection terminated unexpectedly' }],
  ['pool connect timeout', { message: 'timeout exceeded when trying to connect' }],
  ['a pooled client whose connection broke', { message: 'Client has encountered a connection error and is not queryable' }],
];

for (const [name, failure] of cases) {
  t.test(name, async (t) => {
    const app = Fastify({ logger: false });
    await app.register(problemPlugin, { exposeStack: false });
    app.get('/boom', async () => {
      throw Object.assign(new Error(failure.message), failure.code ? { code: failure.code } : {});
    });
    t.teardown(() => app.close());
    const res = await app.inject({ method: 'GET', url: '/boom' });
    t.equal(res.statusCode, 503);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(res.json<{ status: number }>().status, 503);
    t.notMatch(res.body, /pg_tblspc|No space left|terminating/, 'no internals in the body');
  });
}

t.test('any other error stays a 500', async (t) => {
  const app = Fastify({ logger: false });
  await app.register(problemPlugin, { exposeStack: false });
  app.get('/boom', async () => {
    throw Object.assign(new Error('duplicate key'), { code: '23505' });
  });
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/boom' })).statusCode, 500);
});
