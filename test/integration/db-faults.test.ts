// Issue 19 fault suite: Postgres going away while a pooled client is checked out (between
// two queries of a request) crashed the whole process with an unhandled 'error' event. It
// must only fail that request; the pool drops the dead client and the next query works.
import t from 'tap';
import pg from 'pg';
import { createDb } from '../../server/core/db.js';
import { createOrgWithMember, buildTestApp } from '../helper.js';

const ctx = await buildTestApp(t);
const admin = await createOrgWithMember(ctx, 'admin');
const owner = new pg.Client({ connectionString: ctx.services.migrationDatabaseUrl });
await owner.connect();
t.teardown(() => owner.end());

t.test('a backend terminated while its client is checked out does not crash the process', async (t) => {
  const db = createDb({ connectionString: ctx.services.databaseUrl, max: 2 });
  t.teardown(() => db.close());
  const failed = await db
    .withTenant(admin.orgId, async (q) => {
      const { rows } = await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await owner.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      // The socket closes while the request holds the client: pg emits 'error' on it now.
      await new Promise((r) => setTimeout(r, 300));
      await q.query('SELECT 1');
      return 'still answered';
    })
    .then(
      (v) => v,
      (err: Error) => err.message,
    );
  t.match(failed, /terminat|Connection|not queryable/i, 'the request that held the client fails');
  const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
  t.same(rows, [{ ok: 1 }], 'the next query gets a fresh connection');
  t.equal(await db.withTenant(admin.orgId, async (q) => (await q.query<{ n: number }>('SELECT 2 AS n')).rows[0]?.n), 2);
});
