import t from 'tap';
import { GLOBAL_TABLES } from '../../server/core/tenancy.js';
import { commitIn, createDb } from '../../server/core/db.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { countRoundTrips } from '../support/round-trips.js';

// Every process warning of this file, from its start: pg warns once per process.
const warnings: string[] = [];
process.on('warning', (w) => void warnings.push(w.message));

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
// All setup happens before the first subtest: tap ends the root test once its queue drains.
const a = await createOrgWithMember(ctx, 'admin');
const b = await createOrgWithMember(ctx, 'admin');
await ctx.audit.record(a.orgId, { action: 'test.event', actor: { type: 'system' } });
await ctx.audit.record(b.orgId, { action: 'test.event', actor: { type: 'system' } });
const TENANT_TABLES = ['memberships', 'audit_events', 'audit_heads', 'audit_checkpoints'];
await ctx.audit.writeCheckpoint(a.orgId);
await ctx.audit.writeCheckpoint(b.orgId);

t.test('every table with org_id has FORCE row-level security and a policy', async (t) => {
  const { rows } = await owner.query<{ table_name: string; rls: boolean; force: boolean; policies: number }>(`
    SELECT c.relname AS table_name, c.relrowsecurity AS rls, c.relforcerowsecurity AS force,
           (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname) AS policies
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r'
       AND EXISTS (SELECT 1 FROM information_schema.columns col
                    WHERE col.table_schema = 'public' AND col.table_name = c.relname AND col.column_name = 'org_id')`);
  t.ok(rows.length >= 4, `found ${rows.length} tenant tables`);
  for (const r of rows) {
    t.ok(r.rls && r.force, `${r.table_name} has ENABLE + FORCE ROW LEVEL SECURITY`);
    t.ok(r.policies > 0, `${r.table_name} has a policy`);
  }
});

t.test('tables without org_id are exactly the declared global tables', async (t) => {
  const { rows } = await owner.query<{ table_name: string }>(`
    SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r'
       AND NOT EXISTS (SELECT 1 FROM information_schema.columns col
                        WHERE col.table_schema = 'public' AND col.table_name = c.relname AND col.column_name = 'org_id')
     ORDER BY 1`);
  const tenantless = rows.map((r) => r.table_name).filter((n) => n !== 'audit_heads');
  t.same(tenantless.sort(), [...GLOBAL_TABLES].sort(), 'a new global table must be added to GLOBAL_TABLES on purpose');
});

t.test('hirebox_app is not a superuser, cannot bypass RLS and owns no table', async (t) => {
  const role = await owner.query<{ rolsuper: boolean; rolbypassrls: boolean; rolcanlogin: boolean }>(
    "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'hirebox_app'",
  );
  t.same(role.rows[0], { rolsuper: false, rolbypassrls: false, rolcanlogin: true });
  const owned = await owner.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'hirebox_app'");
  t.equal(owned.rowCount, 0);
  const who = await ctx.db.query<{ current_user: string }>('SELECT current_user');
  t.equal(who.rows[0]?.current_user, 'hirebox_app', 'the app connects as hirebox_app');
});


t.test('without app.org_id the app role sees no tenant rows and cannot insert any', async (t) => {
  for (const table of TENANT_TABLES) {
    const all = await owner.query(`SELECT count(*)::int AS n FROM ${table}`);
    t.ok((all.rows[0] as { n: number }).n > 0, `${table} has rows (owner view)`);
    const { rows } = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    t.equal(rows[0]?.n, 0, `${table}: 0 rows outside a tenant`);
  }
  await t.rejects(ctx.db.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'admin')", [a.orgId, b.userId]), /row-level security/);
  await t.rejects(ctx.db.query("INSERT INTO audit_heads (org_id, last_seq, last_hash) VALUES ($1, 0, 'x')", [a.orgId]), /row-level security/);
});

t.test("org A's context cannot read, update or delete org B's rows", async (t) => {
  await ctx.db.withTenantTx(a.orgId, async (tx) => {
    const m = await tx.query('SELECT org_id FROM memberships');
    t.ok(m.rows.every((r: { org_id: string }) => r.org_id === a.orgId) && m.rowCount === 1, 'memberships: only A');
    const e = await tx.query('SELECT org_id FROM audit_events WHERE org_id = $1', [b.orgId]);
    t.equal(e.rowCount, 0, 'audit_events of B invisible even when asked by id');
    const up = await tx.query("UPDATE memberships SET role = 'auditor' WHERE org_id = $1", [b.orgId]);
    t.equal(up.rowCount, 0, 'update of B memberships touches nothing');
    const heads = await tx.query('UPDATE audit_heads SET last_seq = 99 WHERE org_id = $1', [b.orgId]);
    t.equal(heads.rowCount, 0, 'update of B audit head touches nothing');
    const del = await tx.query('DELETE FROM memberships WHERE org_id = $1', [b.orgId]);
    t.equal(del.rowCount, 0, 'delete of B memberships touches nothing');
    const cps = await tx.query('SELECT 1 FROM audit_checkpoints WHERE org_id = $1', [b.orgId]);
    t.equal(cps.rowCount, 0, 'checkpoints of B invisible');
  });
  await t.rejects(
    ctx.db.withTenantTx(a.orgId, (tx) => tx.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'admin')", [b.orgId, a.userId])),
    /row-level security/,
    'inserting a row for B from A is refused',
  );
  const stillB = await owner.query("SELECT role FROM memberships WHERE org_id = $1 AND role = 'admin'", [b.orgId]);
  t.equal(stillB.rowCount, 1, "B's admin membership is untouched");
});

t.test('no pooled connection carries a tenant after withTenant or withTenantTx', async (t) => {
  const db = createDb({ connectionString: ctx.services.databaseUrl, max: 1 });
  t.teardown(() => db.close());
  await db.withTenant(a.orgId, (q) => q.query('SELECT 1'));
  const afterRead = await db.query<{ org: string | null }>("SELECT current_setting('app.org_id', true) AS org");
  t.equal(afterRead.rows[0]?.org || null, null, 'read path resets app.org_id before pooling');
  await db.withTenantTx(a.orgId, (q) => q.query('SELECT 1'));
  const afterTx = await db.query<{ org: string | null }>("SELECT current_setting('app.org_id', true) AS org");
  t.equal(afterTx.rows[0]?.org || null, null, 'write path is transaction-local');
  await t.rejects(db.withTenantTx(a.orgId, async (q) => {
    await q.query('SELECT 1');
    throw new Error('boom');
  }), /boom/);
  const afterFail = await db.query<{ org: string | null }>("SELECT current_setting('app.org_id', true) AS org");
  t.equal(afterFail.rows[0]?.org || null, null, 'a failed transaction leaves no tenant behind');
  const seen = await db.withTenant(b.orgId, (q) => q.query<{ org_id: string }>('SELECT org_id FROM memberships'));
  t.ok(seen.rows.every((r) => r.org_id === b.orgId), 'the same connection now serves B only B');
  await t.rejects(db.withTenant("x'; DROP TABLE orgs; --", (q) => q.query('SELECT 1')), /uuid/);
});

t.test('the tenant rides with each statement: one round trip per read, none left on the connection', async (t) => {
  const db = createDb({ connectionString: ctx.services.databaseUrl, max: 1 });
  t.teardown(() => db.close());
  const SETTING = "SELECT current_setting('app.org_id', true) AS org";
  const read = await countRoundTrips(() =>
    db.withTenant(a.orgId, async (q) => {
      const first = await q.query<{ org: string }>(SETTING);
      const rows = await q.query<{ org_id: string }>('SELECT org_id FROM memberships WHERE org_id = $1 OR org_id = $2', [a.orgId, b.orgId]);
      const named = await q.query<{ org: string }>({ name: 'tenancy-test-setting', text: SETTING });
      const again = await q.query<{ org: string }>({ name: 'tenancy-test-setting', text: SETTING });
      return { first: first.rows, rows: rows.rows, named: named.rows, again: again.rows, fields: first.fields.map((f) => f.name) };
    }),
  );
  t.same(read.result.first, [{ org: a.orgId }], 'the first statement sees its tenant, and only its own row comes back');
  t.same(read.result.fields, ['org'], 'the prefix leaves no trace in the field list');
  t.ok(read.result.rows.length > 0 && read.result.rows.every((r) => r.org_id === a.orgId), 'row-level security applies to the second statement too');
  t.same(read.result.named, [{ org: a.orgId }], 'a named (prepared) statement works');
  t.same(read.result.again, [{ org: a.orgId }], 'and works again once prepared');
  t.equal(read.roundTrips, 4, 'four statements, four round trips (no set and no reset of their own)');
  const after = await db.query<{ org: string | null }>(SETTING);
  t.equal(after.rows[0]?.org || null, null, 'the pooled connection carries no tenant');

  const tx = await countRoundTrips(() =>
    db.withTenantTx(a.orgId, async (q) => {
      await q.query('SELECT 1');
      return (await q.query<{ org: string }>(SETTING)).rows;
    }),
  );
  t.same(tx.result, [{ org: a.orgId }], 'a transaction keeps its tenant across statements');
  t.equal(tx.roundTrips, 3, 'BEGIN and the tenant ride with the first statement: two statements + COMMIT');
  const nothing = await countRoundTrips(() => db.withTenantTx(a.orgId, async () => 42));
  t.same([nothing.result, nothing.roundTrips], [42, 0], 'a transaction that runs nothing costs nothing');
  const together = await countRoundTrips(() =>
    db.withTenantTx(a.orgId, (q) => Promise.all([q.query<{ n: number }>('SELECT 1 AS n'), q.query<{ org: string }>(SETTING), q.query<{ n: number }>('SELECT $1::int AS n', [3])])),
  );
  t.same(together.result.map((r) => r.rows[0]), [{ n: 1 }, { org: a.orgId }, { n: 3 }], 'statements issued together each get their own result');
  t.equal(together.roundTrips, 2, 'statements issued together share one round trip (+ COMMIT)');
  const failing = db.withTenantTx(a.orgId, async (q) => {
    const results = await Promise.allSettled([q.query('SELECT 1'), q.query('SELECT nonexistent_column FROM memberships'), q.query('SELECT 2')]);
    throw new Error(results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof Error ? r.reason.message : 'failed')).join(' | '));
  });
  await t.rejects(failing, /^ok \| column "nonexistent_column" does not exist \| not run: an earlier statement/, 'a failing statement rejects, the ones after it are not run');
  const afterBatchError = await db.query<{ ok: number }>('SELECT 1 AS ok');
  t.equal(afterBatchError.rows[0]?.ok, 1, 'the connection is usable after a failed batch');
  await t.rejects(db.withTenant(a.orgId, (q) => q.query('SELECT nonexistent_column FROM memberships')), /nonexistent_column/);
  const afterError = await db.query<{ org: string | null }>(SETTING);
  t.equal(afterError.rows[0]?.org || null, null, 'a failed read leaves no tenant behind and the connection usable');
  await t.rejects(db.withTenantTx(a.orgId, (q) => q.query('SELECT nonexistent_column FROM memberships')), /nonexistent_column/);
  // max: 1, so this is the same connection: left inside an aborted transaction it would refuse every statement.
  const afterTxError = await db.query<{ ok: number; org: string | null }>("SELECT 1 AS ok, current_setting('app.org_id', true) AS org");
  t.same(afterTxError.rows.map((r) => [r.ok, r.org || null]), [[1, null]], 'a transaction whose first statement failed is rolled back, its tenant gone');
});

t.test("statements issued while a batch is out wait in hirebox's queue, in order, never in pg's (deprecated, gone in pg 9)", async (t) => {
  const db = createDb({ connectionString: ctx.services.databaseUrl, max: 1 });
  t.teardown(() => db.close());
  const SETTING = "SELECT $1::int AS n, current_setting('app.org_id', true) AS org";
  const tick = (): Promise<void> => Promise.resolve().then(() => undefined);
  // Four reads at once on one connection: each is its own batch (autocommit), so three wait.
  const reads = await countRoundTrips(() => db.withTenant(a.orgId, (q) => Promise.all([1, 2, 3, 4].map((n) => q.query<{ n: number; org: string }>(SETTING, [n])))));
  t.same(reads.result.map((r) => r.rows[0]), [1, 2, 3, 4].map((n) => ({ n, org: a.orgId })), 'each read is answered, with its tenant');
  t.equal(reads.roundTrips, 4, 'one round trip each, as before');
  // A transaction whose helpers issue batches a few ticks apart: each goes out while the one before is still out.
  let late: Promise<{ rows: { n: number; org: string }[] }> | undefined;
  const tx = await db.withTenantTx(a.orgId, async (q) => {
    const first = q.query<{ n: number; org: string }>(SETTING, [1]);
    await tick();
    await tick();
    const second = q.query<{ n: number; org: string }>(SETTING, [2]);
    await tick();
    await tick();
    const third = q.query<{ n: number; org: string }>(SETTING, [3]);
    const answered = await Promise.all([first, second, third]);
    // Issued and not awaited: it is still queued when the transaction returns.
    late = q.query<{ n: number; org: string }>(SETTING, [4]);
    return answered.map((r) => r.rows[0]);
  });
  t.same(tx, [1, 2, 3].map((n) => ({ n, org: a.orgId })), 'batches issued while another is out are answered in order, inside the transaction');
  t.same((await late)?.rows, [{ n: 4, org: a.orgId }], 'a statement still queued when the transaction returns runs before its COMMIT, with the tenant');
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  t.same(warnings.filter((w) => /already executing a query/.test(w)), [], "pg never queued a query behind another (its deprecation warning, in this whole file)");
});

t.test('a transaction commits with its last batch (commitIn): one round trip less, and still all or nothing', async (t) => {
  const db = createDb({ connectionString: ctx.services.databaseUrl, max: 1 });
  t.teardown(() => db.close());
  const role = (await db.query<{ r: string }>('SELECT current_user AS r')).rows[0]?.r ?? '';
  // A scratch table made here and dropped after (not in the schema's table lists): v is unique only at COMMIT.
  await owner.query(`CREATE TABLE commit_probe (id int PRIMARY KEY, v int, org text DEFAULT current_setting('app.org_id', true), CONSTRAINT commit_probe_v UNIQUE (v) DEFERRABLE INITIALLY DEFERRED)`);
  await owner.query(`GRANT SELECT, INSERT ON commit_probe TO "${role.replace(/"/g, '""')}"`);
  t.teardown(() => owner.query('DROP TABLE IF EXISTS commit_probe'));
  const rows = async (): Promise<unknown[]> => (await owner.query('SELECT id, v, org FROM commit_probe ORDER BY id')).rows;

  const committed = await countRoundTrips(() =>
    db.withTenantTx(a.orgId, async (q) => {
      await q.query('INSERT INTO commit_probe (id, v) VALUES (1, 1)');
      await Promise.all([q.query('INSERT INTO commit_probe (id, v) VALUES (2, 2)'), commitIn(q)]);
      return 'done';
    }),
  );
  t.equal(committed.result, 'done');
  t.equal(committed.roundTrips, 2, 'two batches, the second carrying COMMIT: no round trip of its own');
  t.same(await rows(), [{ id: 1, v: 1, org: a.orgId }, { id: 2, v: 2, org: a.orgId }], 'both rows are stored, each written with its tenant');
  const setting = await db.query<{ org: string | null }>("SELECT current_setting('app.org_id', true) AS org");
  t.equal(setting.rows[0]?.org || null, null, 'the tenant died with the COMMIT: the pooled connection carries none');

  const late = db.withTenantTx(a.orgId, async (q) => {
    await Promise.all([q.query('INSERT INTO commit_probe (id, v) VALUES (3, 3)'), commitIn(q)]);
    await q.query('INSERT INTO commit_probe (id, v) VALUES (4, 4)');
  });
  await t.rejects(late, /already committed/, 'a statement after the COMMIT is refused, not run without a transaction or tenant');
  t.same((await rows()).map((r) => (r as { id: number }).id), [1, 2, 3], 'what was committed stays; the late statement never ran');

  const failing = db.withTenantTx(a.orgId, async (q) => {
    await q.query('INSERT INTO commit_probe (id, v) VALUES (5, 5)');
    await Promise.all([q.query('INSERT INTO commit_probe (id, v) VALUES (1, 6)'), commitIn(q)]);
  });
  await t.rejects(failing, /duplicate key/, 'a statement failing before the COMMIT fails the transaction');
  t.same((await rows()).map((r) => (r as { id: number }).id), [1, 2, 3], 'and nothing of it is stored (the COMMIT did not run; the transaction rolled back)');

  let skipped: { code?: unknown; cause?: unknown } = {};
  const classified = db.withTenantTx(a.orgId, async (q) => {
    const dup = q.query('INSERT INTO commit_probe (id, v) VALUES (1, 9)');
    const commit = commitIn(q).catch((err: Error & { code?: unknown }) => {
      skipped = { code: err.code, cause: err.cause };
      throw err;
    });
    await Promise.all([dup, commit]);
  });
  await t.rejects(classified, { code: '23505' }, 'whichever promise a Promise.all settles on first, it carries the server\'s error code');
  t.equal(skipped.code, '23505', 'the COMMIT that was not run carries the failure\'s code (a disk-full upload answers 503, not 500)');
  t.ok(skipped.cause instanceof Error, 'and the failure itself as its cause');

  const atCommit = db.withTenantTx(a.orgId, async (q) => {
    await q.query('INSERT INTO commit_probe (id, v) VALUES (7, 7)');
    await Promise.all([q.query('INSERT INTO commit_probe (id, v) VALUES (8, 1)'), commitIn(q)]);
  });
  await t.rejects(atCommit, /commit_probe_v/, 'a COMMIT that itself fails (a deferred constraint) fails the transaction');
  t.same((await rows()).map((r) => (r as { id: number }).id), [1, 2, 3], 'and nothing of it is stored');
  const after = await db.query<{ ok: number; org: string | null }>("SELECT 1 AS ok, current_setting('app.org_id', true) AS org");
  t.same(after.rows.map((r) => [r.ok, r.org || null]), [[1, null]], 'the one pooled connection is usable and carries no tenant');
});

t.test('statements are prepared once per connection; a prepared statement still sees only the tenant it runs for', async (t) => {
  const db = createDb({ connectionString: ctx.services.databaseUrl, max: 1 });
  t.teardown(() => db.close());
  const MEMBERS = 'SELECT org_id FROM memberships ORDER BY org_id';
  const first = await countRoundTrips(() => db.withTenant(a.orgId, (q) => q.query<{ org_id: string }>(MEMBERS)));
  const second = await countRoundTrips(() => db.withTenant(b.orgId, (q) => q.query<{ org_id: string }>(MEMBERS)));
  t.ok(first.statements.some((s) => s.startsWith('SELECT org_id FROM memberships')), 'the first use parses it');
  t.notOk(second.statements.some((s) => s.startsWith('SELECT org_id FROM memberships')), 'the second only binds and executes it');
  t.same([...new Set(first.result.rows.map((r) => r.org_id))], [a.orgId], "org A's run sees org A's rows");
  t.same([...new Set(second.result.rows.map((r) => r.org_id))], [b.orgId], "the same prepared statement run for org B sees only org B's rows");
  const prepared = await db.withTenant(a.orgId, (q) => q.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT org_id FROM memberships%'"));
  t.equal(prepared.rows[0]?.n, 1, 'the server holds it once on the connection');
  const unscoped = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM memberships');
  t.equal(unscoped.rows[0]?.n, 0, 'a statement outside the tenant still sees nothing');

  // A batch failing midway: the Parse the server skipped after the error created nothing, so
  // it is sent again next time instead of binding to a statement that does not exist.
  const NEVER = "SELECT 'parsed after a failure' AS x FROM memberships LIMIT 1";
  await t.rejects(
    db.withTenantTx(a.orgId, async (q) => {
      await Promise.all([q.query('SELECT 1/0 AS boom'), q.query(NEVER)]);
    }),
    /division by zero/,
  );
  const again = await countRoundTrips(() => db.withTenant(a.orgId, (q) => q.query<{ x: string }>(NEVER)));
  t.same(again.result.rows, [{ x: 'parsed after a failure' }], 'the statement skipped by the failure runs afterwards');
  t.ok(again.statements.some((s) => s.startsWith("SELECT 'parsed after a failure'")), 'and is parsed then, not assumed prepared');
  const TWICE = 'SELECT org_id AS twice FROM memberships';
  const twice = await countRoundTrips(() => db.withTenantTx(a.orgId, (q) => Promise.all([q.query(TWICE), q.query(TWICE)])));
  t.equal(twice.statements.filter((s) => s.startsWith(TWICE)).length, 1, 'a new statement used twice in one batch is parsed once');
  t.same(twice.result.map((r) => r.rowCount), [1, 1], 'and both uses answer');
  // A result shape that follows the schema is never prepared: a column added by a migration
  // while the process runs would otherwise fail it until a restart.
  const star = await countRoundTrips(async () => {
    await db.withTenant(a.orgId, (q) => q.query('SELECT * FROM memberships LIMIT 1'));
    await db.withTenant(a.orgId, (q) => q.query('SELECT * FROM memberships LIMIT 1'));
  });
  t.equal(star.statements.filter((s) => s.startsWith('SELECT * FROM memberships')).length, 2, 'a SELECT * is parsed each time, not prepared');
  // A connection holds at most 300 prepared statements; past that, statements still run, unnamed.
  for (let i = 0; i < 310; i += 1) {
    const { rows } = await db.withTenant(a.orgId, (q) => q.query<{ n: number }>(`SELECT ${i} AS n FROM memberships LIMIT 1`));
    if (rows[0]?.n !== i) t.fail(`statement ${i} answered ${JSON.stringify(rows)}`);
  }
  const held = await db.withTenant(a.orgId, (q) => q.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements'));
  t.equal(held.rows[0]?.n, 300, 'the connection holds 300 prepared statements, not 310 more');
});

t.test('a user context sees only that user\'s memberships across orgs', async (t) => {
  const rows = await ctx.db.withUserTx(a.userId, (tx) => tx.query<{ org_id: string }>('SELECT org_id FROM memberships'));
  t.same(rows.rows.map((r) => r.org_id), [a.orgId]);
});
