import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildTestApp, connectOwner } from '../helper.js';

const ctx = await buildTestApp(t);
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/server/cli.js', ...args], { env: { ...process.env, ...ctx.env }, encoding: 'utf8' });
const owner = await connectOwner(t, ctx);

t.test('org create with a password file sets the admin password (argon2id) and audits it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-cli-'));
  const pw = path.join(dir, 'pw');
  writeFileSync(pw, 'a long enough passphrase\n', { mode: 0o600 });
  const r = cli(['org', 'create', '--name', 'Acme Hiring', '--admin-email', 'Boss@Acme.test', '--password-file', pw, '--json']);
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { orgId: string; userId: string; setupUrl?: string };
  t.match(out, { orgId: /^[0-9a-f-]{36}$/, userId: /^[0-9a-f-]{36}$/ });
  t.equal(out.setupUrl, undefined);
  const user = await owner.query('SELECT email, password_hash FROM users WHERE id = $1', [out.userId]);
  t.equal(user.rows[0].email, 'boss@acme.test');
  t.match(user.rows[0].password_hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  const org = await owner.query('SELECT slug FROM orgs WHERE id = $1', [out.orgId]);
  t.equal(org.rows[0].slug, 'acme-hiring');
  const role = await ctx.db.withTenant(out.orgId, (q) => q.query('SELECT role FROM memberships WHERE user_id = $1', [out.userId]));
  t.equal(role.rows[0].role, 'admin');
  const events = await ctx.db.withTenant(out.orgId, (q) => q.query("SELECT metadata FROM audit_events WHERE action = 'org.created'"));
  t.equal(events.rowCount, 1);
  t.notMatch(JSON.stringify(events.rows), /passphrase/);
});

t.test('org create without a password file prints a one-time setup link (stored hashed)', async (t) => {
  const r = cli(['org', 'create', '--name', 'Beta', '--admin-email', 'admin@beta.test']);
  t.equal(r.status, 0, r.stderr);
  const link = /one-time setup link.*: (http:\/\/localhost:3000\/setup\/([A-Za-z0-9_-]{43}))/.exec(r.stdout);
  t.ok(link, r.stdout);
  const token = link?.[2] as string;
  const stored = await owner.query("SELECT token_hash FROM user_tokens WHERE purpose = 'setup'");
  t.equal(stored.rowCount, 1);
  t.notMatch(stored.rows[0].token_hash.toString('hex'), Buffer.from(token).toString('hex'), 'only a hash is stored');
  const json = cli(['org', 'create', '--name', 'Gamma', '--admin-email', 'admin@gamma.test', '--json']);
  t.match(JSON.parse(json.stdout), { orgId: String, userId: String, setupUrl: /\/setup\// });
});

t.test('bad input: clear messages and non-zero exit, nothing half-created', async (t) => {
  const before = await owner.query('SELECT count(*)::int AS n FROM orgs');
  const missing = cli(['org', 'create', '--name', 'X']);
  t.equal(missing.status, 2);
  t.match(missing.stderr, /needs --name and --admin-email/);
  const badEmail = cli(['org', 'create', '--name', 'X', '--admin-email', 'not-an-email']);
  t.equal(badEmail.status, 1);
  t.match(badEmail.stderr, /adminEmail: is not an email address/);
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-cli-'));
  writeFileSync(path.join(dir, 'short'), 'short');
  const shortPw = cli(['org', 'create', '--name', 'X', '--admin-email', 'x@x.test', '--password-file', path.join(dir, 'short')]);
  t.equal(shortPw.status, 1);
  t.match(shortPw.stderr, /at least 12 characters/);
  const taken = cli(['org', 'create', '--name', 'Again', '--slug', 'acme-hiring', '--admin-email', 'y@y.test']);
  t.equal(taken.status, 1);
  t.match(taken.stderr, /slug "acme-hiring" is taken/);
  const unknown = cli(['frobnicate']);
  t.equal(unknown.status, 2);
  const after = await owner.query('SELECT count(*)::int AS n FROM orgs');
  t.equal(after.rows[0].n, before.rows[0].n);
});
