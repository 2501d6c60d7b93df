// A developer's `docker compose up` (docker-compose.yml + docker-compose.override.yml), for
// real (deploy/proof/dev-stack.sh runs this after deploy/proof/images.sh): Docker's compose
// client against podman's API socket, with the throwaway secrets of `deploy/secrets.sh --dev`.
//
//  1. `up` brings the stack up on http://127.0.0.1:8080 and the one-shot demo-seed service seeds
//     the same workspace as `npm run demo` (ops/scripts/demo-seed.ts), then exits 0;
//  2. its log holds the banner's sign-in details; the demo admin signs in with them (TOTP
//     enrolment, then a TOTP sign-in) and sees the seeded org: 4 members, 2 open jobs, the CVs
//     the worker parsed;
//  3. a second `up` seeds nothing twice: same rows, a fresh password in the log, the old one refused.
// Not a *.test.ts file: `npm test` does not run it; `npm run test:deploy` does.
import t from 'tap';
import { request } from 'node:http';
import { join } from 'node:path';
import { background, repoRoot, run, tempDir, type RunResult } from './lib.js';
import { DEMO_CVS, DEMO_JOB_COUNT, DEMO_PAST_APPLICATIONS, DEMO_SLUG, DEMO_USERS } from '../../ops/scripts/demo-seed.js';
import { totpCode } from '../../server/modules/auth/totp.js';

const PROJECT = process.env.HIREBOX_DEV_PROJECT ?? 'hbdev';
const TAG = process.env.HIREBOX_VERSION ?? 'local';
const SOCKET = process.env.DOCKER_HOST ?? '';
const ORIGIN = 'http://localhost:8080';
const KEEP = process.env.HIREBOX_PROOF_KEEP === '1';
if (!SOCKET.startsWith('unix://')) throw new Error('run through deploy/proof/dev-stack.sh (needs DOCKER_HOST)');

const secretsDir = await tempDir(t, 'dev-secrets');
const made = await run('bash', [join(repoRoot, 'deploy', 'secrets.sh'), '--dev', secretsDir]);
if (made.code !== 0) throw new Error(`deploy/secrets.sh --dev: ${made.stderr}`);

async function compose(args: string[], timeoutMs = 600_000): Promise<RunResult> {
  // The two files a developer's `docker compose up` reads, named explicitly, and the shim
  // docker-compose 1.29 needs against podman's API (deploy/compose.podman.yml says why).
  const files = ['-f', 'docker-compose.yml', '-f', 'docker-compose.override.yml', '-f', 'deploy/compose.podman.yml'];
  return run('docker-compose', ['--ansi', 'never', '-p', PROJECT, ...files, ...args], {
    timeoutMs,
    env: {
      ...process.env,
      HIREBOX_SECRETS_DIR: secretsDir,
      HIREBOX_IMAGE: 'localhost/hirebox',
      HIREBOX_VERSION: TAG,
      HIREBOX_CADDY_IMAGE: 'localhost/hirebox-caddy',
      HIREBOX_POSTGRES_IMAGE: 'localhost/hirebox-postgres:15',
      HIREBOX_REDIS_IMAGE: 'localhost/hirebox-redis:7',
    },
  });
}
const ctr = (service: string): string => `${PROJECT}_${service}_1`;
const podman = (args: string[]): Promise<RunResult> => run('podman', args, { timeoutMs: 60_000 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}

async function psql(sql: string): Promise<string> {
  const r = await podman(['exec', ctr('postgres'), 'psql', '-h', '/tmp', '-U', 'hirebox', '-d', 'hirebox', '-At', '-c', sql]);
  if (r.code !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
/** Plain http to the published 127.0.0.1:8080, as a browser at http://localhost:8080 sends it. */
async function http(method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: 8080, method, path, headers: { host: 'localhost:8080', ...(opts.headers ?? {}) }, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (opts.body) req.write(opts.body);
    req.end();
  });
}
const json = <T>(r: Res): T => JSON.parse(r.body) as T;
type Headers = Record<string, string>;
function sessionFrom(r: Res): Headers {
  const raw = r.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const cookie = (list.find((c) => /^(__Host-)?hirebox=/.test(c)) ?? '').split(';')[0] ?? '';
  if (!cookie) throw new Error(`no session cookie (status ${r.status} ${r.body})`);
  return { cookie, 'x-csrf-token': json<{ csrfToken: string }>(r).csrfToken, origin: ORIGIN };
}
const login = (email: string, password: string): Promise<Res> =>
  http('POST', '/api/v1/auth/login', { headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ email, password }) });

let lastStep = 0;
async function freshCode(secret: string): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    if (step > lastStep) {
      lastStep = step;
      return totpCode(secret, new Date());
    }
    await sleep(1000);
  }
}

/** The seed container's exit and the password its banner printed last. */
async function seedRun(tt: Parameters<Parameters<typeof t.test>[0]>[0], runs: number): Promise<{ log: string; password: string }> {
  const state = await until('demo-seed to finish', async () => {
    const s = (await podman(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', ctr('demo-seed')])).stdout.trim();
    return s.startsWith('exited') ? s : null;
  });
  tt.equal(state, 'exited 0', 'the one-shot demo-seed service exits 0');
  const log = (await podman(['logs', ctr('demo-seed')])).stdout;
  tt.equal((log.match(/hirebox is running at http:\/\/localhost:8080/g) ?? []).length, runs, `the banner is in the demo-seed log (${runs} run(s))`);
  const lines = log.split('\n').map((l) => l.replace(/^\[demo\]\s+/, '').trim().split(/\s+/).join(' '));
  for (const u of DEMO_USERS) tt.ok(lines.includes(`${u.role} ${u.email}`), `the banner names ${u.role} ${u.email}`);
  const passwords = [...log.matchAll(/password (demo-[A-Za-z0-9_-]+)/g)].map((m) => m[1] as string);
  tt.equal(passwords.length, runs, 'one demo password per run');
  return { log, password: passwords.at(-1) as string };
}

const COUNTS = `SELECT json_build_object(
  'orgs', (SELECT count(*) FROM orgs WHERE slug = '${DEMO_SLUG}'),
  'members', (SELECT count(*) FROM memberships m JOIN orgs o ON o.id = m.org_id WHERE o.slug = '${DEMO_SLUG}'),
  'jobs', (SELECT count(*) FROM jobs),
  'applications', (SELECT count(*) FROM applications),
  'documents', (SELECT count(*) FROM documents))`;

// ---------------------------------------------------------------------------------------
const ticker = background(t, 'bash', [join(repoRoot, 'deploy', 'proof', 'health-ticker.sh'), PROJECT, '3']);
t.teardown(async () => {
  await ticker.stop();
  if (!KEEP) await compose(['down', '-v', '--remove-orphans']);
});
await compose(['down', '-v', '--remove-orphans']);

const admin = DEMO_USERS.find((u) => u.role === 'admin')?.email as string;
let totpSecret = '';
let firstPassword = '';
let seeded: Record<string, number> = {};

t.test('docker compose up (with the development override) serves the demo workspace of npm run demo', async (tt) => {
  const up = await compose(['up', '-d']);
  tt.equal(up.code, 0, up.code === 0 ? 'compose up' : `compose up\n${up.stderr}`);
  const { log, password } = await seedRun(tt, 1);
  tt.match(log, /seeded "Demo Company"/, 'the first up seeds the workspace');
  tt.notMatch(log, /^\{"level"/m, 'the banner is plain text, not JSON log lines');
  firstPassword = password;
  const ready = await until('/readyz on http://127.0.0.1:8080', async () => ((await http('GET', '/readyz')).status === 200 ? true : null));
  tt.ok(ready, '/readyz answers through Caddy on 127.0.0.1:8080 (plain http)');

  // The banner's sign-in details work: first sign-in enrols TOTP, the next signs in with it.
  const first = await login(admin, password);
  tt.equal(first.status, 200, `the demo admin signs in with the banner's password ${first.status === 200 ? '' : first.body}`);
  const half = sessionFrom(first);
  const enrol = await http('POST', '/api/v1/auth/mfa/enroll', { headers: half });
  tt.equal(enrol.status, 200, 'TOTP enrolment starts');
  totpSecret = json<{ secret: string }>(enrol).secret;
  const verified = await http('POST', '/api/v1/auth/mfa/verify', { headers: { ...half, 'content-type': 'application/json' }, body: JSON.stringify({ code: await freshCode(totpSecret) }) });
  tt.equal(verified.status, 200, 'TOTP enrolment verified');
  const again = await login(admin, password);
  const half2 = sessionFrom(again);
  const signedIn = await http('POST', '/api/v1/auth/mfa/verify', { headers: { ...half2, 'content-type': 'application/json' }, body: JSON.stringify({ code: await freshCode(totpSecret) }) });
  tt.equal(signedIn.status, 200, 'signed in with password and TOTP');
  const s = sessionFrom(signedIn);

  const jobs = json<{ jobs: { id: string; status: string }[] }>(await http('GET', '/api/v1/jobs', { headers: s })).jobs;
  tt.equal(jobs.length, DEMO_JOB_COUNT, `${DEMO_JOB_COUNT} jobs, as npm run demo seeds`);
  tt.ok(jobs.every((j) => j.status === 'open'), 'both open');
  const members = json<{ members: unknown[] }>(await http('GET', '/api/v1/members', { headers: s })).members;
  tt.equal(members.length, DEMO_USERS.length, `${DEMO_USERS.length} members`);
  const apps: { id: string }[] = [];
  for (const j of jobs) apps.push(...json<{ applications: { id: string }[] }>(await http('GET', `/api/v1/jobs/${j.id}/applications`, { headers: s })).applications);
  tt.ok(apps.length >= DEMO_CVS.length, `the seeded applications are listed (${apps.length})`);

  // The worker container parses the seeded CVs, as it does under npm run demo.
  const parsed = await until('the worker to parse the demo CVs', async () => {
    const n = Number(await psql("SELECT count(*) FROM documents WHERE parse_status = 'parsed'"));
    return n >= DEMO_CVS.length ? n : null;
  }, 300_000);
  tt.ok(parsed >= DEMO_CVS.length, `${parsed} CVs parsed by the worker container`);
  seeded = JSON.parse(await psql(COUNTS)) as Record<string, number>;
  tt.match(seeded, { orgs: 1, members: DEMO_USERS.length, jobs: DEMO_JOB_COUNT }, `the seeded rows ${JSON.stringify(seeded)}`);
  tt.ok((seeded.applications ?? 0) >= DEMO_CVS.length + DEMO_PAST_APPLICATIONS, 'the new and the decided past applications (Fairness report)');
});

t.test('a second docker compose up seeds nothing twice and prints a fresh password', async (tt) => {
  const up = await compose(['up', '-d']);
  tt.equal(up.code, 0, up.code === 0 ? 'second compose up' : `second compose up\n${up.stderr}`);
  const { log, password } = await seedRun(tt, 2);
  tt.match(log, /demo workspace already seeded; passwords refreshed/, 'the second run only refreshes the password');
  tt.not(password, firstPassword, 'a new password');
  tt.same(JSON.parse(await psql(COUNTS)), seeded, 'no row added: the seed is idempotent');
  const old = await login(admin, firstPassword);
  tt.equal(old.status, 401, 'the previous password is refused');
  const fresh = await login(admin, password);
  tt.equal(fresh.status, 200, 'the new password from the log works');
  const done = await http('POST', '/api/v1/auth/mfa/verify', { headers: { ...sessionFrom(fresh), 'content-type': 'application/json' }, body: JSON.stringify({ code: await freshCode(totpSecret) }) });
  tt.equal(done.status, 200, 'and the TOTP enrolled before still signs in');
});
