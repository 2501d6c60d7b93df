// The compose stack, up for real (deploy/proof/stack.sh runs this after deploy/proof/images.sh):
// docker-compose.yml with production settings, except Caddy's local CA (TLS_MODE=internal)
// and the paid APIs replaced by the test fakes on the egress network (deploy/proof/compose.proof.yml),
// driven by Docker's compose client against podman's API socket.
//
//  1. an image of an earlier commit runs with data in it (org, TOTP admin, job, a screened application);
//  2. the upgrade runbook's steps bring in the current image: new migrations applied once, rows kept;
//  3. on the current image, through Caddy over TLS: /readyz, sign-in with TOTP, a public application
//     with a PDF CV parsed and screened by the worker, `hirebox audit verify` clean;
//  4. network probes from inside the containers, secrets absent from `compose config` and image history;
//  5. `down` then `up` keeps every row.
// Not a *.test.ts file: `npm test` does not run it; `npm run test:deploy` does.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { background, deployDir, repoRoot, run, tempDir, type RunResult } from './lib.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { totpCode } from '../../server/modules/auth/totp.js';

type TT = Parameters<Parameters<typeof t.test>[0]>[0];

const PROJECT = process.env.HIREBOX_PROOF_PROJECT ?? 'hbproof';
const NEW_TAG = process.env.HIREBOX_VERSION ?? 'local';
const OLD_TAG = process.env.HIREBOX_UPGRADE_FROM_TAG;
const OLD_MIGRATIONS = Number(process.env.HIREBOX_UPGRADE_FROM_MIGRATIONS ?? '0');
const SOCKET = process.env.DOCKER_HOST ?? '';
const ORIGIN = 'https://localhost';
const KEEP = process.env.HIREBOX_PROOF_KEEP === '1';

if (!OLD_TAG || !OLD_MIGRATIONS || !SOCKET.startsWith('unix://')) {
  throw new Error('run through deploy/proof/stack.sh (needs DOCKER_HOST, HIREBOX_UPGRADE_FROM_TAG, HIREBOX_UPGRADE_FROM_MIGRATIONS)');
}

const secretsDir = await tempDir(t, 'proof-secrets');
const secretEnv = { HIREBOX_OPENAI_API_KEY: 'sk-proof-not-a-real-key', HIREBOX_VAPI_API_KEY: 'proof-vapi-key', HIREBOX_SMTP_URL: 'smtp://fakes:2525' };
const made = await run('bash', [join(repoRoot, 'deploy', 'secrets.sh'), secretsDir], { env: { ...process.env, ...secretEnv } });
if (made.code !== 0) throw new Error(`deploy/secrets.sh: ${made.stderr}`);

// issue 23, the trust page's ports line. This host is not set up by the playbook and has no
// firewall of its own (loading one here would cut off the CI machine). So the playbook's own
// firewall template and listing script, rendered by Ansible from the firewall role, are
// loaded into a network namespace of this test, and the listing the script writes there is
// what compose mounts into the app and worker (HIREBOX_FIREWALL_LISTING_DIR), exactly as on a
// playbook host, where the role writes /var/lib/hirebox/firewall/ruleset.nft hourly.
const firewallDir = await tempDir(t, 'proof-firewall');
await chmod(firewallDir, 0o755); // the app runs as uid 10001 and must traverse it
const firewallNs = `hbproof-fw-${process.pid}`;
async function renderFromFirewallRole(template: string, dest: string, extra: string[] = []): Promise<void> {
  const r = await run('ansible', ['localhost', '-c', 'local', '-i', 'localhost,', '-m', 'template', '-a', `src=${join(deployDir, 'roles', 'firewall', 'templates', template)} dest=${dest} mode=0755`,
    '-e', `@${join(deployDir, 'roles', 'firewall', 'defaults', 'main.yml')}`, ...extra], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`ansible template ${template}: ${r.stdout}\n${r.stderr}`);
}
await renderFromFirewallRole('nftables.conf.j2', join(firewallDir, 'nftables.conf'));
await renderFromFirewallRole('hirebox-firewall-listing.j2', join(firewallDir, 'listing.sh'), ['-e', `hirebox_firewall_listing_dir=${firewallDir}`]);
for (const step of [['ip', 'netns', 'add', firewallNs], ['ip', 'netns', 'exec', firewallNs, 'nft', '-f', join(firewallDir, 'nftables.conf')], ['ip', 'netns', 'exec', firewallNs, join(firewallDir, 'listing.sh')]]) {
  const r = await run(step[0] as string, step.slice(1));
  if (r.code !== 0) throw new Error(`${step.join(' ')}: ${r.stderr}`);
}
t.teardown(() => run('ip', ['netns', 'del', firewallNs]).then(() => undefined));

function composeEnv(tag: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HIREBOX_SECRETS_DIR: secretsDir,
    HIREBOX_FIREWALL_LISTING_DIR: firewallDir,
    HIREBOX_PROOF_SRC: repoRoot,
    DOMAIN: 'localhost',
    MAIL_FROM: 'hirebox@localhost',
    HIREBOX_IMAGE: 'localhost/hirebox',
    HIREBOX_VERSION: tag,
    HIREBOX_CADDY_IMAGE: 'localhost/hirebox-caddy',
    HIREBOX_POSTGRES_IMAGE: 'localhost/hirebox-postgres:15',
    HIREBOX_REDIS_IMAGE: 'localhost/hirebox-redis:7',
    OPENAI_BASE_URL: 'http://fakes:8001/v1',
    // issue 23: the trust page's ai_settings line wants a model pinned to a dated version.
    OPENAI_MODEL: 'gpt-4o-mini-2024-07-18',
    VAPI_BASE_URL: 'http://fakes:8002',
  };
}

async function compose(tag: string, args: string[], opts: { old?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  const files = ['-f', 'docker-compose.yml', '-f', 'deploy/proof/compose.proof.yml'];
  if (opts.old) files.push('-f', 'deploy/proof/compose.upgrade-from.yml');
  return run('docker-compose', ['--ansi', 'never', '-p', PROJECT, ...files, ...args], { env: composeEnv(tag), timeoutMs: opts.timeoutMs ?? 300_000 });
}

const ctr = (service: string): string => `${PROJECT}_${service}_1`;

async function podman(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return run('podman', args, { timeoutMs });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Healthy behind Caddy too: Caddy polls the app's /healthz before it routes to it. */
async function readyThroughCaddy(): Promise<void> {
  await until('/readyz through Caddy', async () => (await https('GET', '/readyz')).status === 200, 120_000);
}

async function healthy(service: string): Promise<void> {
  await until(`${service} healthy`, async () => (await podman(['inspect', '--format', '{{.State.Health.Status}}', ctr(service)])).stdout.trim() === 'healthy', 180_000);
}

async function psql(sql: string): Promise<string> {
  const r = await podman(['exec', ctr('postgres'), 'psql', '-h', '/tmp', '-U', 'hirebox', '-d', 'hirebox', '-At', '-c', sql]);
  if (r.code !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

const COUNTED = ['orgs', 'users', 'jobs', 'applications', 'documents', 'document_blobs', 'screenings', 'schema_migrations'];
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of COUNTED) out[table] = Number(await psql(`SELECT count(*) FROM ${table}`));
  return out;
}

// ---- HTTPS through Caddy (published 443), trusting Caddy's local CA only ----
let caddyRoot = '';
interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
async function https(method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: 443, servername: 'localhost', method, path, ca: caddyRoot, headers: { host: 'localhost', ...(opts.headers ?? {}) }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (opts.body) req.write(opts.body);
    req.end();
  });
}
const json = <T>(r: Res): T => JSON.parse(r.body) as T;

interface Session {
  headers: Record<string, string>;
}
function sessionFrom(r: Res): Session {
  const raw = r.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  // Over https in production the session cookie carries the __Host- prefix.
  const cookie = (list.find((c) => /^(__Host-)?hirebox=/.test(c)) ?? '').split(';')[0] ?? '';
  if (!cookie) throw new Error(`no session cookie (status ${r.status})`);
  return { headers: { cookie, 'x-csrf-token': json<{ csrfToken: string }>(r).csrfToken, origin: ORIGIN } };
}

let lastTotpStep = 0;
/** A TOTP code from a time step not used before (a code is accepted once). */
async function freshCode(secret: string): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    if (step > lastTotpStep) {
      lastTotpStep = step;
      return totpCode(secret, new Date());
    }
    await sleep(1000);
  }
}

async function signIn(email: string, password: string, totpSecret: string): Promise<Session> {
  const login = await https('POST', '/api/v1/auth/login', { headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ email, password }) });
  if (login.status !== 200) throw new Error(`login ${login.status} ${login.body}`);
  const half = sessionFrom(login);
  const verify = await https('POST', '/api/v1/auth/mfa/verify', {
    headers: { ...half.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ code: await freshCode(totpSecret) }),
  });
  if (verify.status !== 200) throw new Error(`mfa verify ${verify.status} ${verify.body}`);
  return sessionFrom(verify);
}

async function orgCreate(name: string, email: string, password: string): Promise<{ orgId: string; slug: string }> {
  // The password goes in on stdin (--password-file /dev/stdin): never on a command line.
  const r = spawnSync('podman', ['exec', '-i', ctr('app'), 'node', 'dist/server/cli.js', 'org', 'create', '--name', name, '--admin-email', email, '--password-file', '/dev/stdin', '--json'], {
    input: password,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`org create: ${r.stderr}`);
  const { orgId } = JSON.parse(r.stdout) as { orgId: string };
  return { orgId, slug: await psql(`SELECT slug FROM orgs WHERE id = '${orgId}'`) };
}

async function enrolTotp(email: string, password: string): Promise<{ secret: string; session: Session }> {
  const login = await https('POST', '/api/v1/auth/login', { headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ email, password }) });
  if (login.status !== 200) throw new Error(`first login ${login.status} ${login.body}`);
  const half = sessionFrom(login);
  const enrol = await https('POST', '/api/v1/auth/mfa/enroll', { headers: half.headers });
  if (enrol.status !== 200) throw new Error(`enroll ${enrol.status} ${enrol.body}`);
  const { secret } = json<{ secret: string }>(enrol);
  const verify = await https('POST', '/api/v1/auth/mfa/verify', { headers: { ...half.headers, 'content-type': 'application/json' }, body: JSON.stringify({ code: await freshCode(secret) }) });
  if (verify.status !== 200) throw new Error(`enrol verify ${verify.status} ${verify.body}`);
  return { secret, session: sessionFrom(verify) };
}

async function createJob(s: Session, title: string): Promise<{ id: string; slug: string }> {
  // Jobs are published only with a privacy contact (issue 18); releases before it answer 404 here.
  const contact = await https('PUT', '/api/v1/org/privacy-contact', { headers: { ...s.headers, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'privacy@example.test' }) });
  if (contact.status !== 200 && contact.status !== 404) throw new Error(`privacy contact ${contact.status} ${contact.body}`);
  const r = await https('POST', '/api/v1/jobs', {
    headers: { ...s.headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      title,
      employmentType: 'full_time',
      status: 'open',
      location: 'Berlin',
      description: 'Build the hiring platform.',
      criteria: [
        { name: 'TypeScript', description: 'Production TypeScript', weight: 3, mustHave: true },
        { name: 'Postgres', description: 'Schema design', weight: 2, mustHave: false },
      ],
      interviewQuestions: ['Tell us about a system you designed.'],
    }),
  });
  if (r.status !== 201) throw new Error(`create job ${r.status} ${r.body}`);
  return json<{ id: string; slug: string }>(r);
}

/** Applies on the public page with a PDF CV; waits for the worker to parse and screen it. */
async function applyAndScreen(tt: TT, s: Session, orgSlug: string, job: { id: string; slug: string }, name: string, email: string): Promise<string> {
  // As a candidate's browser does: send back the notice the apply page showed (the release
  // being run decides its version, and since issue 18 the org's notice revision too).
  const page = await https('GET', `/jobs/${orgSlug}/${job.slug}`);
  const notice: Record<string, string> = { noticeVersion: /name="noticeVersion" value="([^"]*)"/.exec(page.body)?.[1] ?? PRIVACY_NOTICE_VERSION };
  const revision = /name="noticeRevision" value="([^"]*)"/.exec(page.body)?.[1];
  if (revision) notice.noticeRevision = revision;
  const { body, contentType } = multipartBody(
    { name, email, consent: 'true', ...notice },
    { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) },
  );
  const applied = await https('POST', `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, { headers: { 'content-type': contentType, origin: ORIGIN }, body });
  tt.equal(applied.status, 202, `public application accepted through Caddy ${applied.body}`);
  const list = await https('GET', `/api/v1/jobs/${job.id}/applications`, { headers: s.headers });
  const appId = json<{ applications: { id: string; candidateName: string }[] }>(list).applications.find((a) => a.candidateName === name)?.id;
  if (!appId) throw new Error(`application of ${name} not listed: ${list.body}`);
  const doc = await until('CV parsed by the worker', async () => {
    const v = await https('GET', `/api/v1/applications/${appId}`, { headers: s.headers });
    const d = json<{ documents: { parseStatus: string; text?: string }[] }>(v).documents[0];
    return d && d.parseStatus !== 'pending' ? d : null;
  });
  tt.equal(doc.parseStatus, 'parsed', 'the PDF CV was parsed by the worker');
  tt.match(doc.text ?? '', /Led the migration of a billing platform/, 'the parsed text is the CV');
  const screening = await until('screening by the worker', async () => {
    const r = await https('GET', `/api/v1/applications/${appId}/screening`, { headers: s.headers });
    const b = r.status === 200 ? json<{ latest: { status: string; simulated: boolean; criteria: { name: string }[] } | null }>(r) : null;
    // A screening row exists from the moment it is queued; wait for the worker's verdict.
    return b?.latest && ['completed', 'failed'].includes(b.latest.status) ? b.latest : null;
  });
  tt.equal(screening.status, 'completed', 'the worker completed the screening');
  tt.equal(screening.simulated, false, 'screened by the OpenAI provider (the fake on the egress network), not simulated');
  tt.same(screening.criteria.map((c) => c.name), ['TypeScript', 'Postgres'], 'screening covers the job criteria');
  return appId;
}

async function probe(service: string, host: string, port: number): Promise<boolean> {
  const r = await podman(['exec', ctr(service), 'bash', '-c', `timeout 5 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null && echo open || echo closed`]);
  return r.stdout.trim() === 'open';
}

async function defaultRoute(service: string): Promise<boolean> {
  const r = await podman(['exec', ctr(service), 'cat', '/proc/net/route']);
  return r.stdout.split('\n').slice(1).some((l) => l.split(/\s+/)[1] === '00000000');
}

// ---------------------------------------------------------------------------------------
const ticker = background(t, 'bash', [join(repoRoot, 'deploy', 'proof', 'health-ticker.sh'), PROJECT, '3']);
t.teardown(async () => {
  await ticker.stop();
  if (!KEEP) await compose(NEW_TAG, ['down', '-v', '--remove-orphans']);
});
await compose(NEW_TAG, ['down', '-v', '--remove-orphans']);

const admin = { email: 'admin@proof.example', password: 'correct horse battery staple proof' };
let totpSecret = '';
let org = { orgId: '', slug: '' };
let oldAppId = '';
let before: Record<string, number> = {};

t.test(`an earlier release (${OLD_TAG}, ${OLD_MIGRATIONS} migrations) runs with data in it`, async (tt) => {
  const up = await compose(OLD_TAG, ['up', '-d'], { old: true });
  tt.equal(up.code, 0, up.code === 0 ? `compose up (old image)` : `compose up (old image)\n${up.stderr}`);
  for (const s of ['postgres', 'redis', 'app', 'worker', 'caddy']) await healthy(s);
  caddyRoot = (await podman(['exec', ctr('caddy'), 'cat', '/data/caddy/pki/authorities/local/root.crt'])).stdout;
  tt.match(caddyRoot, /BEGIN CERTIFICATE/, "Caddy's local CA root");
  await readyThroughCaddy();
  tt.equal(await psql('SELECT count(*) FROM schema_migrations'), String(OLD_MIGRATIONS), 'old migrations applied');
  org = await orgCreate('Proof Org', admin.email, admin.password);
  const enrolled = await enrolTotp(admin.email, admin.password);
  totpSecret = enrolled.secret;
  const job = await createJob(enrolled.session, 'Platform Engineer');
  oldAppId = await applyAndScreen(tt, enrolled.session, org.slug, job, 'Ada Lovelace', 'ada@proof.example');
  before = await counts();
  tt.ok(before.applications === 1 && before.document_blobs === 1 && (before.screenings ?? 0) >= 1, `data in the old release ${JSON.stringify(before)}`);
});

t.test('upgrade per ops/runbooks/upgrades.md: migrations applied once, every row kept', async (tt) => {
  const migrationFiles = (await readdir(join(repoRoot, 'migrations'))).filter((f) => f.endsWith('.sql')).length;
  const migrate = await compose(NEW_TAG, ['run', '--rm', 'migrate']);
  tt.equal(migrate.code, 0, migrate.code === 0 ? `migrate on the new image` : `migrate on the new image\n${migrate.stderr}`);
  const applied = /applied (\d+) migration\(s\)/.exec(migrate.stdout)?.[1];
  tt.equal(Number(applied), migrationFiles - OLD_MIGRATIONS, `the ${migrationFiles - OLD_MIGRATIONS} new migrations are applied`);
  const again = await compose(NEW_TAG, ['run', '--rm', 'migrate']);
  tt.match(again.stdout, /up to date/, 'a second migrate applies nothing');
  for (const step of [['up', '-d', '--no-deps', 'app'], ['up', '-d', '--no-deps', 'worker'], ['up', '-d', '--remove-orphans']]) {
    const r = await compose(NEW_TAG, step);
    tt.equal(r.code, 0, r.code === 0 ? `compose ${step.join(' ')}` : `compose ${step.join(' ')}\n${r.stderr}`);
    if (step.includes('app')) await healthy('app');
  }
  for (const s of ['app', 'worker', 'caddy']) await healthy(s);
  await readyThroughCaddy();
  const image = (await podman(['inspect', '--format', '{{.ImageName}}', ctr('app')])).stdout.trim();
  tt.equal(image, `localhost/hirebox:${NEW_TAG}`, 'app runs the current image');
  const after = await counts();
  tt.equal(after.schema_migrations, migrationFiles, 'every migration recorded once');
  for (const table of COUNTED.filter((x) => x !== 'schema_migrations')) tt.equal(after[table], before[table], `${table}: every row kept`);
});

t.test('current image through Caddy over TLS: readyz, TOTP sign-in, PDF application screened, audit verify', async (tt) => {
  const ready = await https('GET', '/readyz');
  tt.equal(ready.status, 200, `/readyz ${ready.body}`);
  tt.match(String(ready.headers['strict-transport-security']), /max-age=/, 'HSTS from Caddy');
  const wrong = await https('POST', '/api/v1/auth/login', { headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ email: admin.email, password: 'not the password' }) });
  tt.equal(wrong.status, 401, 'a wrong password is refused');
  const s = await signIn(admin.email, admin.password, totpSecret);
  const me = await https('GET', `/api/v1/applications/${oldAppId}`, { headers: s.headers });
  tt.equal(me.status, 200, 'signed in with TOTP; the application from the old release is readable');
  tt.match(json<{ documents: { text?: string }[] }>(me).documents[0]?.text ?? '', /billing platform/, 'its CV decrypts after the upgrade');
  const job = await createJob(s, 'Data Engineer');
  await applyAndScreen(tt, s, org.slug, job, 'Grace Hopper', 'grace@proof.example');
  const state = JSON.parse((await podman(['exec', ctr('fakes'), 'node', '-e', "fetch('http://127.0.0.1:9000/').then(r=>r.text()).then(t=>process.stdout.write(t))"])).stdout) as { openai: { path: string }[] };
  tt.ok(state.openai.filter((r) => r.path.endsWith('/chat/completions')).length >= 2, `the fake OpenAI on the egress network answered the screenings (${state.openai.length} requests)`);
  const verify = await podman(['exec', ctr('app'), 'node', 'dist/server/cli.js', 'audit', 'verify', '--json']);
  tt.equal(verify.code, 0, verify.code === 0 ? `hirebox audit verify exits 0` : `hirebox audit verify exits 0\n${verify.stderr}`);
  tt.equal((JSON.parse(verify.stdout) as { ok: boolean }).ok, true, 'audit chains verify clean');
});

// issue 23, the trust page's backups line: it reads the newest encrypted backup (backup_runs)
// and the newest restore drill (restore_drills). Both come from the operator scripts that the
// playbook's timers and the monthly drill run, ops/scripts/backup.sh and restore-drill.sh, in
// their compose mode: every Postgres client runs inside the postgres container through
// `docker compose`. On a playbook host that is Debian's docker-compose behind the role's
// `docker compose` plugin shim; here a shim of the same shape points at this proof's project.
t.test('nightly encrypted backup and restore drill by the operator scripts, in compose mode', async (tt) => {
  const dir = await tempDir(tt, 'proof-backup');
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'docker'), [
    '#!/bin/sh',
    '# `docker compose ARGS` -> docker-compose for this proof\'s project and compose files',
    'if [ "$1" = compose ]; then',
    '  shift',
    `  exec docker-compose --ansi never -p ${PROJECT} -f docker-compose.yml -f deploy/proof/compose.proof.yml "$@"`,
    'fi',
    '# Anything else goes to the Docker CLI further down PATH: docker-compose 1.29 runs',
    '# `docker exec` / `docker start` itself for exec and run (DOCKER_HOST: podman\'s socket).',
    'PATH=${PATH#*:} exec docker "$@"',
    '',
  ].join('\n'), { mode: 0o755 });
  const identity = join(dir, 'backup.key');
  const recipients = join(dir, 'recipients.txt');
  tt.equal((await run('age-keygen', ['-o', identity])).code, 0, 'an age identity (the offline key)');
  const pub = await run('age-keygen', ['-y', identity]);
  await writeFile(recipients, pub.stdout);
  const env = { ...composeEnv(NEW_TAG), PATH: `${bin}:${process.env.PATH ?? ''}` };
  const backups = join(dir, 'backups');

  const backup = await run('bash', [join(repoRoot, 'ops', 'scripts', 'backup.sh'), '--recipients-file', recipients, backups], { env, timeoutMs: 300_000 });
  tt.equal(backup.code, 0, `backup.sh: ${backup.stdout.trim()} ${backup.stderr}`);
  const files = await readdir(backups);
  tt.ok(files.some((f) => /^hirebox-\d{8}T\d{6}Z\.dump\.age$/.test(f)), `an encrypted dump is written (${files.join(', ')})`);
  tt.equal(await psql("SELECT count(*) FROM backup_runs WHERE file_name LIKE '%.dump.age' AND finished_at > now() - interval '10 minutes'"), '1', 'the run is recorded in backup_runs');

  // --allow-drift: the stack is live (the worker writes audit events and trust results between
  // the dump and the comparison); the drill still fails on a bad checksum, decryption,
  // migrations, the audit chain or erasures.
  const drill = await run('bash', [join(repoRoot, 'ops', 'scripts', 'restore-drill.sh'), '--identity', identity, '--allow-drift', backups], { env, timeoutMs: 600_000 });
  tt.equal(drill.code, 0, `restore-drill.sh:\n${drill.stdout}${drill.stderr}`);
  tt.match(drill.stdout, /result: OK/, 'the drill report ends OK');
  tt.match(drill.stdout, /audit: +hash chains and signed checkpoints verify/, 'the restored audit chains verify');
  tt.equal(await psql("SELECT count(*) FROM restore_drills WHERE ok AND finished_at > now() - interval '10 minutes'"), '1', 'the drill is recorded in restore_drills with its restore time');
  tt.equal(await psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'hirebox_drill_%'"), '0', 'the throwaway database is dropped');
});

// issue 23 "Done when": on this stack `hirebox trust check` passes every line (or shows it
// hidden with a written reason), and /trust.json fetched through Caddy over TLS verifies with
// the published key using openssl; an edited copy does not.
// The one line this stack may not make pass is hidden with the reason the page shows (docs/trust.md):
const HIDDEN: Record<string, string> = {};
// Only when the build could not reach npm's advisory endpoint (build-info says "unavailable").
const AUDIT_UNAVAILABLE_REASON = "The registry this image was built against did not serve npm's advisory endpoint, so no dependency audit result was recorded at build time; CI runs ops/scripts/audit.sh separately.";
t.test('trust page on the compose stack: every line passes or is hidden with a reason; /trust.json verifies with openssl', async (tt) => {
  // Caddy's internal root CA into the app's /tmp (TRUST_SELF_CA_FILE in compose.proof.yml).
  const copied = await podman(['exec', '-e', `CADDY_ROOT=${caddyRoot}`, ctr('app'), 'node', '-e', "require('fs').writeFileSync('/tmp/caddy-root.crt', process.env.CADDY_ROOT)"]);
  tt.equal(copied.code, 0, `Caddy's root CA copied into the app container ${copied.stderr}`);
  const info = JSON.parse((await podman(['exec', ctr('app'), 'cat', 'dist/build-info.json'])).stdout || '{}') as { commit?: string; dependencyAudit?: { status?: string }; secretScan?: { status?: string } };
  tt.comment(`build-info.json: commit ${String(info.commit)}, dependency audit ${String(info.dependencyAudit?.status)}, secret scan ${String(info.secretScan?.status)}`);
  tt.not(info.commit ?? 'unknown', 'unknown', 'the image records the commit it was built from (BUILD_COMMIT)');
  tt.equal(info.secretScan?.status, 'pass', 'the secret scan ran in the image build and passed');
  const hidden = { ...HIDDEN, ...(info.dependencyAudit?.status === 'unavailable' ? { build_audit: AUDIT_UNAVAILABLE_REASON } : {}) };
  for (const [id, reason] of Object.entries(hidden)) {
    const hide = await compose(NEW_TAG, ['run', '--rm', '-T', 'migrate', 'node', 'dist/server/cli.js', 'trust', 'hide', '--check', id, '--reason', reason]);
    tt.equal(hide.code, 0, `${id} line hidden with its reason ${hide.stderr}`);
  }
  const check = await podman(['exec', ctr('app'), 'node', 'dist/server/cli.js', 'trust', 'check', '--json'], 300_000);
  const result = JSON.parse(check.stdout || '{}') as { ok?: boolean; failing?: string[]; lines?: { id: string; status: string; ok: boolean; summary: string }[] };
  for (const l of result.lines ?? []) tt.comment(`trust check: ${l.status.padEnd(7)} ${l.id.padEnd(14)} ${l.summary}`);
  const status = (id: string) => result.lines?.find((l) => l.id === id)?.status;
  tt.equal(status('tls'), 'pass', 'tls: TLS versions and HSTS as served by Caddy at PUBLIC_URL');
  tt.equal(status('subprocessors'), 'pass', 'subprocessors: every one in use is declared');
  tt.equal(status('ports'), 'pass', "ports: the playbook firewall's listing, mounted by compose, opens only tcp/22, tcp/443, udp/443");
  tt.equal(status('backups'), 'pass', 'backups: the encrypted backup and the restore drill above');
  const notPassing = (result.lines ?? []).filter((l) => l.status !== 'pass' && !(l.id in hidden)).map((l) => `${l.id}: ${l.status} ${l.summary}`);
  tt.same(notPassing, [], 'every other line passes');
  for (const id of Object.keys(hidden)) tt.equal(status(id), 'hidden', `${id}: hidden, with the reason shown`);
  tt.equal(check.code, 0, `hirebox trust check exits 0 (not passing: ${(result.failing ?? []).join(', ') || 'none'}) ${check.stderr}`);

  const dir = await tempDir(tt, 'proof-trust');
  const raw = (path: string) => new Promise<Buffer>((resolve, reject) => {
    request({ host: '127.0.0.1', port: 443, servername: 'localhost', path, ca: caddyRoot, headers: { host: 'localhost' }, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${path}: ${res.statusCode}`))));
    }).on('error', reject).end();
  });
  const body = await raw('/trust.json');
  await writeFile(join(dir, 'trust.json'), body);
  await writeFile(join(dir, 'trust.json.sig'), await raw('/trust.json.sig'));
  await writeFile(join(dir, 'key.pem'), await raw('/trust/key.pem'));
  const verify = (file: string) => spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'key.pem'), '-rawin', '-in', join(dir, file), '-sigfile', join(dir, 'trust.json.sig')], { encoding: 'utf8' });
  const ok = verify('trust.json');
  tt.equal(ok.status, 0, `openssl pkeyutl -verify -rawin: ${ok.stdout.trim()} ${ok.stderr}`);
  tt.match(ok.stdout, /Signature Verified Successfully/);
  const edited = body.toString('utf8').replace('"status": "hidden"', '"status": "pass"');
  tt.not(edited, body.toString('utf8'), 'the copy was edited');
  await writeFile(join(dir, 'edited.json'), edited);
  const bad = verify('edited.json');
  tt.not(bad.status, 0, `an edited copy fails: ${bad.stdout.trim()}`);
});

t.test('network design, probed from inside the containers', async (tt) => {
  const outside = (await lookup('deb.debian.org', { family: 4 })).address;
  tt.ok(await probe('caddy', outside, 80), `control: caddy (ingress network) reaches ${outside}:80, so the probe works`);
  for (const s of ['app', 'postgres', 'redis', 'worker']) {
    tt.notOk(await defaultRoute(s), `${s} has no default route`);
    tt.notOk(await probe(s, outside, 80), `${s} cannot reach ${outside}:80`);
  }
  tt.ok(await probe('worker', 'fakes', 8001), 'worker reaches the fake OpenAI on egress');
  tt.ok(await probe('worker', 'fakes', 2525), 'worker reaches the fake SMTP on egress');
  tt.ok(await probe('worker', 'postgres', 5432), 'worker reaches postgres on backend');
  tt.notOk(await probe('app', 'fakes', 8001), 'app cannot reach the egress fakes');
  tt.notOk(await probe('caddy', 'postgres', 5432), 'caddy cannot reach postgres');
  tt.notOk(await probe('caddy', 'redis', 6379), 'caddy cannot reach redis');
  tt.ok(await probe('caddy', 'app', 3000), 'caddy reaches the app on edge');
  // issue 19: the metrics listeners are bound to the backend-network aliases only.
  tt.ok(await probe('worker', 'app-metrics', 9464), 'worker reaches the app metrics listener on backend');
  tt.ok(await probe('app', 'worker-metrics', 9464), 'app reaches the worker metrics listener on backend');
  tt.notOk(await probe('caddy', 'app', 9464), 'caddy (edge) cannot reach the app metrics listener');
  const ports = (await podman(['ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}={{.Ports}}'])).stdout.trim().split('\n');
  for (const line of ports) {
    const [name, published = ''] = line.split('=');
    if (name === ctr('caddy')) tt.same(published.split(', ').sort(), ['0.0.0.0:443->443/tcp', '0.0.0.0:443->443/udp'], 'caddy publishes 443/tcp and 443/udp only');
    else tt.equal(published, '', `${name} publishes nothing`);
  }
  const uid = (await podman(['exec', ctr('app'), 'id', '-u'])).stdout.trim();
  tt.equal(uid, '10001', 'app runs as uid 10001');
  const write = await podman(['exec', ctr('app'), 'bash', '-c', 'echo x > /app/x']);
  tt.not(write.code, 0, 'app root filesystem is read-only');
});

t.test('secrets only from files: absent from compose config and the image history', async (tt) => {
  const config = await compose(NEW_TAG, ['config']);
  tt.equal(config.code, 0);
  const history = await podman(['history', '--no-trunc', '--format', '{{.CreatedBy}}', `localhost/hirebox:${NEW_TAG}`]);
  const inspect = await podman(['image', 'inspect', `localhost/hirebox:${NEW_TAG}`]);
  const env = await podman(['inspect', '--format', '{{json .Config.Env}}', ctr('app')]);
  for (const name of (await readdir(secretsDir)).filter((n) => !n.startsWith('.'))) {
    const value = (await readFile(join(secretsDir, name), 'utf8')).trim();
    if (value.length < 8) continue;
    for (const [label, text] of [['compose config', config.stdout], ['image history', history.stdout], ['image config', inspect.stdout], ['app container env', env.stdout]] as const) {
      tt.notOk(text.includes(value), `${name} is not in the ${label}`);
    }
  }
  tt.notMatch(history.stdout + inspect.stdout, /BEGIN CERTIFICATE|BEGIN PRIVATE KEY|NODE_EXTRA_CA_CERTS=\/|cafile=\//, 'no CA or key in the image history or config');
  tt.match(history.stdout, /useradd --system --uid 10001/, 'the history is the runtime stage of the Dockerfile');
  tt.notMatch(history.stdout, /npm ci|with-ca/, 'no build-stage step (where the CA secret was mounted) is in the shipped history');
});

t.test('down then up keeps every row', async (tt) => {
  const before2 = await counts();
  const down = await compose(NEW_TAG, ['down']);
  tt.equal(down.code, 0, down.code === 0 ? `compose down` : `compose down\n${down.stderr}`);
  tt.equal((await podman(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`])).stdout.trim(), '', 'no containers left');
  const up = await compose(NEW_TAG, ['up', '-d']);
  tt.equal(up.code, 0, up.code === 0 ? `compose up` : `compose up\n${up.stderr}`);
  for (const s of ['postgres', 'app', 'worker', 'caddy']) await healthy(s);
  await readyThroughCaddy();
  tt.same(await counts(), before2, 'every counted table has the same rows');
  const s = await signIn(admin.email, admin.password, totpSecret);
  const view = await https('GET', `/api/v1/applications/${oldAppId}`, { headers: s.headers });
  tt.equal(view.status, 200, 'sign-in and data work after down/up');
});

// Point-in-time recovery in the compose stack (issue 18 item 5; ops/runbooks/backup-restore.md):
// the postgres service archives every WAL segment through pgBackRest into the encrypted
// repository on the pgbackrest volume. Rows are written, a timestamp noted, more rows written;
// the cluster is lost and restored to that timestamp as the runbook says; exactly the rows
// before it exist. RPO (last commit to its WAL in the repository) and RTO (loss to serving
// again through Caddy) are measured and printed.
t.test('point-in-time recovery: WAL archived with pgBackRest, restore to a timestamp, RPO and RTO', async (tt) => {
  const br = (args: string[]): Promise<RunResult> => podman(['exec', ctr('postgres'), 'hirebox-pgbackrest', ...args], 900_000);
  const info = await br(['info']);
  tt.equal(info.code, 0, `pgbackrest info ${info.stderr}`);
  tt.match(info.stdout, /stanza: hirebox\s+status: (ok|error \(no valid backups\))/, 'archiving created the stanza by itself');
  const check = await br(['check']);
  tt.equal(check.code, 0, `pgbackrest check: archive_command reaches the repository ${check.stderr}`);
  const full = await br(['--type=full', 'backup']);
  tt.equal(full.code, 0, `full base backup ${full.stderr}`);
  tt.match((await br(['info'])).stdout, /full backup: /, 'the repository lists the full backup');
  const rows = await counts();

  await psql('CREATE TABLE pitr_drill (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())');
  const write = (from: number, to: number): Promise<string> => psql(`DO $$ BEGIN FOR i IN ${from}..${to} LOOP INSERT INTO pitr_drill (n) VALUES (i); COMMIT; END LOOP; END $$`);
  await write(1, 20);
  const target = await psql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
  await sleep(1100);
  await write(21, 40);
  const lastCommit = Date.now();
  const segment = await psql('SELECT pg_walfile_name(pg_current_wal_insert_lsn())');
  // Nothing forces a WAL switch here: archive_timeout does, as it would in production.
  await until('the last commit archived', async () => (await psql('SELECT coalesce(last_archived_wal, \'\') FROM pg_stat_archiver')) >= segment, 400_000, 500);
  const rpoSeconds = (Date.now() - lastCommit) / 1000;

  // The rows after the target stand for the damage (a bad delete, say): from here on the
  // runbook's steps, timed. Step 1: stop the writers and the database.
  const lost = Date.now();
  const stopped = await compose(NEW_TAG, ['stop', 'app', 'worker', 'postgres']);
  tt.equal(stopped.code, 0, 'app, worker and postgres stopped');
  const restore = await compose(NEW_TAG, ['run', '--rm', '--no-deps', '-T', 'postgres', 'hirebox-pgbackrest', '--delta', '--type=time', `--target=${target}`, '--target-action=promote', 'restore'], { timeoutMs: 1_800_000 });
  tt.equal(restore.code, 0, restore.code === 0 ? `pgbackrest restore to ${target}` : `pgbackrest restore\n${restore.stderr}`);
  tt.equal((await compose(NEW_TAG, ['up', '-d', '--no-deps', 'postgres'])).code, 0, 'postgres started on the restored data');
  await healthy('postgres');
  await until('recovery to finish (promoted)', async () => (await psql('SELECT pg_is_in_recovery()')) === 'f', 1_800_000);
  const dbSeconds = (Date.now() - lost) / 1000;
  // As the runbook says: the erasure ledger is re-applied before the app serves.
  const reapply = await compose(NEW_TAG, ['run', '--rm', 'migrate', 'node', 'dist/server/cli.js', 'erasures', 'reapply']);
  tt.equal(reapply.code, 0, reapply.code === 0 ? 'hirebox erasures reapply on the restored database' : `erasures reapply\n${reapply.stderr}`);
  tt.equal((await compose(NEW_TAG, ['up', '-d'])).code, 0, 'app and worker started');
  for (const s of ['app', 'worker']) await healthy(s);
  await readyThroughCaddy();
  const rtoSeconds = (Date.now() - lost) / 1000;

  const restored = await psql('SELECT count(*) || \' \' || min(n) || \'..\' || max(n) FROM pitr_drill');
  tt.equal(restored, '20 1..20', 'exactly the 20 rows written before the target exist; none of the 20 after it');
  tt.same(await counts(), rows, 'every application row from before the drill is there');
  const s = await signIn(admin.email, admin.password, totpSecret);
  tt.equal((await https('GET', `/api/v1/applications/${oldAppId}`, { headers: s.headers })).status, 200, 'sign-in and data work after the restore');
  const after = await br(['check']);
  tt.equal(after.code, 0, `archiving goes on after the restore (new timeline) ${after.stderr}`);
  await psql('DROP TABLE pitr_drill');

  const report = [
    `PITR drill (compose stack, ${(await br(['version'])).stdout.trim()}, repository aes-256-cbc, archive_timeout 60 s)`,
    `  target ${target}: rows 1..20 written before it, 21..40 after; restored: ${restored} (count min..max)`,
    `  RPO ${rpoSeconds.toFixed(1)} s (last commit to its WAL in the repository; target <= 300 s)`,
    `  RTO ${rtoSeconds.toFixed(1)} s (loss to /readyz through Caddy; database alone ${dbSeconds.toFixed(1)} s; target <= 1800 s)`,
  ];
  process.stdout.write(`${report.map((l) => `# ${l}`).join('\n')}\n`);
  tt.ok(rpoSeconds <= 300, `RPO ${rpoSeconds.toFixed(1)} s <= 300 s`);
  tt.ok(rtoSeconds <= 1800, `RTO ${rtoSeconds.toFixed(1)} s <= 1800 s`);
});
