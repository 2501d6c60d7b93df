// `npm run test:floods` (issue 19 item 3): the built app and worker as real processes; signed-in
// members (a generator process of their own) use the API at a steady rate while (1) nothing
// else happens, (2) a flood of wrong passwords arrives from many addresses, (3) a flood of
// anonymous applications with CVs arrives from many addresses. Each member endpoint's p99 under a flood must stay within
// 2x of its unflooded p99 in the same run, and the flood must be absorbed by the limiters:
// the script prints the argon2 hashes and CV parses each flood forced per second.
// FLOOD_SECONDS sets the length of each phase (default 30). Exits 1 when a target is missed.
// Per phase it also prints the CPU of the app, worker, Postgres, Redis and the generators and
// the app's event-loop delay: where members' time goes under each flood.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, createOrgWithMember, ORIGIN } from '../helper.js';
import { DEV_DEVICE_COOKIE } from '../../server/modules/auth/devices.js';
import { createJob } from '../fixtures/hiring.js';
import { freePort, ip, quantile, startProcess, waitReady } from './processes.js';

const SECONDS = Number(process.env.FLOOD_SECONDS ?? 30);
// Flood rates (open loop, each request from a new address): far above any real sign-in or
// apply traffic, and without the limiters enough to keep many cores in argon2 and the CV
// parser. An unbounded flood measures the load generator, which shares these 2 cores.
const PASSWORD_RATE = Number(process.env.FLOOD_PASSWORD_RATE ?? 200);
const APPLY_RATE = Number(process.env.FLOOD_APPLY_RATE ?? 50);
const MEMBER_RATE = 60;
/** createOrgWithMember's admin password. */
const MEMBER_PASSWORD = 'correct horse battery staple';

/** Flood child: fires as fast as `concurrency` connections allow for `seconds`, prints status counts. */
async function floodChild(kind: 'password' | 'apply', base: string, orgSlug: string, jobSlug: string, seconds: number, member: string): Promise<void> {
  const agent = new Agent({ connections: 128 });
  const statuses: Record<string, number> = {};
  const cv = makePdf(SAMPLE_CV_LINES);
  // Warmed: its request code compiled and a few connections open, through a health check the
  // app answers without touching what is measured. Without this the generator's first
  // second (V8 compiling its hot paths on more than one core) fell into the flood's.
  for (let i = 0; i < 40; i++) {
    multipartBody({ name: `Warm ${i}`, email: `warm${i}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, { filename: 'cv.pdf', contentType: 'application/pdf', data: cv });
    JSON.stringify({ email: `warm${i}@example.test`, password: `warm ${i}` });
    const res = await request(`${base}/healthz`, { dispatcher: agent, headers: { 'x-forwarded-for': ip(i + 1) } });
    await res.body.dump();
  }
  // Loaded and ready; the flood starts when the parent says so (its start-up is not the flood's).
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const end = Date.now() + seconds * 1000;
  let n = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const rate = kind === 'password' ? PASSWORD_RATE : APPLY_RATE;
  const started = Date.now();
  const inflight = new Set<Promise<void>>();
  for (let i = 0; Date.now() < end; i++) {
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    n += 1;
    const from = ip(n);
    const p = (async () => {
      try {
        let res;
        if (kind === 'password') {
          res = await request(`${base}/api/v1/auth/login`, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': from },
            // One attempt in ten is at the signed-in member's own address: it stays locked.
            body: JSON.stringify({ email: n % 10 === 0 ? member : `victim${n % 50}@example.test`, password: `wrong password ${n}` }),
          });
        } else {
          const { body, contentType } = multipartBody({ name: `Flood ${n}`, email: `flood${n}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, { filename: 'cv.pdf', contentType: 'application/pdf', data: cv });
          res = await request(`${base}/api/v1/public/jobs/${orgSlug}/${jobSlug}/apply`, { method: 'POST', dispatcher: agent, headers: { 'content-type': contentType, 'x-forwarded-for': from }, body });
        }
        await res.body.dump();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      } catch {
        statuses.error = (statuses.error ?? 0) + 1;
      }
    })().finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
  await agent.close();
  process.stdout.write(JSON.stringify(statuses));
}

/**
 * Starts a generator child (`args` after the script) and waits until it has loaded and
 * warmed up (its start-up, a second of CPU on these shared cores, fell into the first second
 * of each phase and was read as the app's); `start()` lets it run and resolves with what it
 * printed after "ready".
 */
async function prepareChild<T>(args: string[], nice: boolean): Promise<{ start: () => Promise<T> }> {
  const command = [process.execPath, fileURLToPath(import.meta.url), ...args];
  const child = nice ? spawn('nice', ['-n', '10', ...command], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(command[0] as string, command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await Promise.race([
    new Promise<void>((resolve) => child.stdout.on('data', () => out.startsWith('ready\n') && resolve())),
    exited.then(() => Promise.reject(new Error(`generator child exited before it was ready: ${out.slice(0, 300)}`))),
  ]);
  return {
    async start() {
      child.stdin.end('go\n');
      await exited;
      return JSON.parse(out.slice('ready\n'.length)) as T;
    },
  };
}

/**
 * A flood generator. It stands in for machines elsewhere: on these shared cores it runs
 * niced, so what is measured is the app's cost of the flood, not the generator's.
 */
function prepareFlood(kind: 'password' | 'apply', base: string, orgSlug: string, jobSlug: string, member: string): Promise<{ start: () => Promise<Record<string, number>> }> {
  return prepareChild(['--flood', kind, base, orgSlug, jobSlug, String(SECONDS), member], true);
}

/**
 * The members, in a process of their own (not niced: their latency is what is measured).
 * In this process they shared the event loop with the test app the script sets up with and
 * with the probes; this process used ~300 ms of CPU ~29 s into every apply flood, and the
 * members' requests due then counted as slow.
 */
function prepareMembers(base: string, headers: Record<string, string>, endpoints: Endpoint[], seconds: number): Promise<{ start: () => Promise<MemberLatencies> }> {
  return prepareChild(['--members', JSON.stringify({ base, headers, endpoints, seconds })], false);
}

async function membersChild(spec: string): Promise<void> {
  const { base, headers, endpoints, seconds } = JSON.parse(spec) as { base: string; headers: Record<string, string>; endpoints: Endpoint[]; seconds: number };
  // Warm: its request path compiled before the phase.
  await members(base, headers, endpoints, 2);
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdout.write(JSON.stringify(await members(base, headers, endpoints, seconds)));
}

/** CPU seconds of a process from /proc (user + system, plus its reaped children's when `children`), or 0 when it is gone. */
function cpuSeconds(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // utime, stime, cutime, cstime in clock ticks (USER_HZ 100).
    return ((f[11] ?? 0) + (f[12] ?? 0) + (children ? (f[13] ?? 0) + (f[14] ?? 0) : 0)) / 100;
  } catch {
    return 0;
  }
}

/** The pids whose command is `name` (Postgres backends, Redis): shared servers, so other users' load shows too. */
function pidsOf(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

type Group = 'app' | 'worker' | 'postgres' | 'redis' | 'generators';
interface Probe {
  cpu: Record<Group, Map<number, number>>;
  at: number;
}

/** CPU use per process group over a phase, as % of one core, and the app's event-loop delay (from its metrics listener). */
function createProbe(appPid: number, workerPid: number, metricsBase: string) {
  const per = (pids: number[], children = false): Map<number, number> => new Map(pids.map((p) => [p, cpuSeconds(p, children)]));
  const sample = (): Probe => ({
    cpu: {
      app: per([appPid]),
      worker: per([workerPid]),
      // Shared servers: other users of this machine show here too. A backend that exits within the phase is not counted.
      postgres: per(pidsOf('postgres')),
      redis: per(pidsOf('redis-server')),
      // This process, the member load, and the flood children once they have exited (reaped children's time).
      generators: per([process.pid], true),
    },
    at: performance.now(),
  });
  // prom-client resets its event-loop histogram on each scrape: one scrape at the start of a phase, one at its end.
  const loop = async (): Promise<{ p99: number; max: number }> => {
    const text = await fetch(`${metricsBase}/metrics`).then((r) => r.text(), () => '');
    const value = (name: string): number => Number(text.split('\n').find((l) => l.startsWith(`${name}{`))?.split(' ').pop() ?? NaN) * 1000;
    return { p99: value('nodejs_eventloop_lag_p99_seconds'), max: value('nodejs_eventloop_lag_max_seconds') };
  };
  return {
    async start(): Promise<Probe> {
      await loop();
      return sample();
    },
    async end(from: Probe): Promise<string> {
      const to = sample();
      const s = (to.at - from.at) / 1000;
      const pct = (k: Group): string => {
        let used = 0;
        for (const [pid, v] of to.cpu[k]) used += v - (from.cpu[k].get(pid) ?? 0);
        return `${k} ${((used / s) * 100).toFixed(0)}%`;
      };
      const lag = await loop();
      return `cpu ${pct('app')}, ${pct('worker')}, ${pct('postgres')}, ${pct('redis')}, ${pct('generators')} (of one core); app event-loop delay p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms`;
    },
  };
}

interface Endpoint {
  name: string;
  path: string;
}

/** A member signing in from their own browser (device cookie) every 2 s: the statuses. */
async function knownSignIns(base: string, email: string, password: string, device: string, seconds: number): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  for (let i = 0; i < seconds / 2; i++) {
    await new Promise((r) => setTimeout(r, 2_000));
    const res = await request(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, cookie: device, 'x-forwarded-for': ip(102) }, body: JSON.stringify({ email, password }) });
    await res.body.dump();
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
  }
  return statuses;
}

/** Members at a steady rate (open loop, RATE req/s over the endpoints, from a few addresses). */
interface MemberLatencies {
  /** Per endpoint, sorted. */
  byEndpoint: Record<string, number[]>;
  /** [seconds into the phase, ms] of every request, in the order sent. */
  timeline: [number, number][];
}

async function members(base: string, headers: Record<string, string>, endpoints: Endpoint[], seconds: number, rate = MEMBER_RATE): Promise<MemberLatencies> {
  const agent = new Agent({ connections: 32 });
  const out: Record<string, number[]> = Object.fromEntries(endpoints.map((e) => [e.name, []]));
  const timeline: [number, number][] = [];
  const errors: string[] = [];
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.floor(seconds * rate);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const ep = endpoints[i % endpoints.length] as Endpoint;
    inflight.push(
      (async () => {
        const sent = performance.now();
        const res = await request(`${base}${ep.path}`, { dispatcher: agent, headers: { ...headers, 'x-forwarded-for': ip(200 + (i % 16)) } });
        await res.body.dump();
        // Latency from when the request was due (open loop: a stalled client does not hide the stall).
        const ms = performance.now() - Math.min(sent, due);
        out[ep.name]?.push(ms);
        timeline.push([(due - start) / 1000, ms]);
        if (res.statusCode !== 200) errors.push(`${ep.path} ${res.statusCode}`);
      })(),
    );
  }
  await Promise.all(inflight);
  await agent.close();
  if (errors.length) throw new Error(`member requests failed: ${errors.slice(0, 5).join(', ')} (${errors.length})`);
  for (const v of Object.values(out)) v.sort((a, b) => a - b);
  return { byEndpoint: out, timeline };
}

async function main(): Promise<void> {
  const teardowns: (() => unknown)[] = [];
  const t = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
  let failed = false;
  try {
    const ctx = await buildTestApp(t, { env: { LOG_LEVEL: 'silent' } });
    const admin = await createOrgWithMember(ctx, 'admin');
    const job = await createJob(ctx, admin);
    const { rows } = await ctx.db.pool.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId]);
    const orgSlug = rows[0]?.slug ?? '';
    const port = await freePort();
    // The production limits: the test helper's environment lifts the per-minute cap per job (APPLY_BURST_PER_JOB_MINUTE)
    // and fixes a high hash budget (PASSWORD_HASHES_PER_SECOND) for tests that apply or sign in many times;
    // a flood must meet the caps production has.
    const metricsPort = await freePort();
    const env = { ...ctx.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', TRUST_PROXY: '127.0.0.1', APPLY_BURST_PER_JOB_MINUTE: '', PASSWORD_HASHES_PER_SECOND: '', METRICS_PORT: String(metricsPort) };
    const app = startProcess('dist/server/main.js', env);
    const worker = startProcess('dist/worker/main.js', env);
    t.teardown(() => {
      app.child.kill('SIGKILL');
      worker.child.kill('SIGKILL');
    });
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base, app);
    const endpoints: Endpoint[] = [
      { name: 'GET /api/v1/jobs', path: '/api/v1/jobs' },
      { name: 'GET /api/v1/jobs/:id', path: `/api/v1/jobs/${job.id}` },
      { name: 'GET /api/v1/me', path: '/api/v1/me' },
    ];
    const headers = { cookie: admin.cookie, origin: ORIGIN };
    // Warm-up: a long-running app has already served sign-ins and applications (and the
    // worker parsed CVs), so their first-use costs (code compiled, the parser's thread and
    // modules loaded) are not counted as a flood's.
    const warm = multipartBody({ name: 'Warm Up', email: 'warm.up@example.test', consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) });
    const warmApply = await request(`${base}/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, { method: 'POST', headers: { 'content-type': warm.contentType, 'x-forwarded-for': ip(100) }, body: warm.body });
    await warmApply.body.dump();
    const warmLogin = await request(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip(101) }, body: JSON.stringify({ email: 'nobody@example.test', password: 'not the password' }) });
    await warmLogin.body.dump();
    if (warmApply.statusCode !== 202 || warmLogin.statusCode !== 401) throw new Error(`warm-up: apply ${warmApply.statusCode}, sign-in ${warmLogin.statusCode}`);
    // The member signs in once from their browser, which keeps the device cookie it gets.
    const { rows: who } = await ctx.db.pool.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [admin.userId]);
    const memberEmail = who[0]?.email ?? '';
    const memberLogin = await request(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip(102) }, body: JSON.stringify({ email: memberEmail, password: MEMBER_PASSWORD }) });
    await memberLogin.body.dump();
    const device = ([] as string[]).concat(memberLogin.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${DEV_DEVICE_COOKIE}=`))?.split(';')[0];
    if (memberLogin.statusCode !== 200 || !device) throw new Error(`member sign-in: ${memberLogin.statusCode}, device cookie ${device ? 'set' : 'missing'}`);
    await members(base, headers, endpoints, 5);
    const owner = new pg.Client({ connectionString: ctx.services.migrationDatabaseUrl });
    await owner.connect();
    t.teardown(() => owner.end());
    const countDocs = async (): Promise<number> => (await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM documents WHERE parse_status <> 'pending'")).rows[0]?.n ?? 0;
    const countApps = async (): Promise<number> => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM applications')).rows[0]?.n ?? 0;

    // Each flood is compared with an unflooded phase just before it (the machine's other load drifts).
    const probe = createProbe(app.child.pid ?? 0, worker.child.pid ?? 0, `http://127.0.0.1:${metricsPort}`);
    const usage: string[] = [];
    const phaseMembers = (): Promise<{ start: () => Promise<MemberLatencies> }> => prepareMembers(base, headers, endpoints, SECONDS);
    let crowd = await phaseMembers();
    let at = await probe.start();
    const baseline = await crowd.start();
    usage.push(`unflooded:      ${await probe.end(at)}`);
    const passwordFlooder = await prepareFlood('password', base, orgSlug, job.slug, memberEmail);
    crowd = await phaseMembers();
    at = await probe.start();
    const [passwordFlood, duringPassword, memberSignIns] = await Promise.all([passwordFlooder.start(), crowd.start(), knownSignIns(base, memberEmail, MEMBER_PASSWORD, device, SECONDS)]);
    usage.push(`password flood: ${await probe.end(at)}`);
    crowd = await phaseMembers();
    at = await probe.start();
    const baseline2 = await crowd.start();
    usage.push(`unflooded:      ${await probe.end(at)}`);
    const appsBefore = await countApps();
    const docsBefore = await countDocs();
    const applyFlooder = await prepareFlood('apply', base, orgSlug, job.slug, memberEmail);
    crowd = await phaseMembers();
    at = await probe.start();
    const [applyFlood, duringApply] = await Promise.all([applyFlooder.start(), crowd.start()]);
    usage.push(`apply flood:    ${await probe.end(at)}`);
    const appsAccepted = (await countApps()) - appsBefore;
    const parsed = (await countDocs()) - docsBefore;

    const line = (s: string): void => void process.stdout.write(`${s}\n`);
    line(`floods: ${SECONDS} s per phase, members at ${MEMBER_RATE} req/s over ${endpoints.length} endpoints; password flood ${PASSWORD_RATE}/s, apply flood ${APPLY_RATE}/s; 2 cores shared`);
    line(`${'endpoint'.padEnd(22)} ${'unflooded p99'.padStart(13)} ${'passwords p99'.padStart(14)} ${'ratio'.padStart(6)} ${'unflooded p99'.padStart(13)} ${'applies p99'.padStart(12)} ${'ratio'.padStart(6)}  target <= 2x`);
    for (const ep of endpoints) {
      const b99 = quantile(baseline.byEndpoint[ep.name] ?? [], 0.99);
      const p99 = quantile(duringPassword.byEndpoint[ep.name] ?? [], 0.99);
      const c99 = quantile(baseline2.byEndpoint[ep.name] ?? [], 0.99);
      const a99 = quantile(duringApply.byEndpoint[ep.name] ?? [], 0.99);
      // A floor of 5 ms: below it a ratio measures timer noise, not starvation.
      const r1 = p99 / Math.max(b99, 5);
      const r2 = a99 / Math.max(c99, 5);
      const ok = r1 <= 2 && r2 <= 2;
      if (!ok) failed = true;
      line(`${ep.name.padEnd(22)} ${`${b99.toFixed(1)} ms`.padStart(13)} ${`${p99.toFixed(1)} ms`.padStart(14)} ${r1.toFixed(2).padStart(6)} ${`${c99.toFixed(1)} ms`.padStart(13)} ${`${a99.toFixed(1)} ms`.padStart(12)} ${r2.toFixed(2).padStart(6)}  ${ok ? 'pass' : 'FAIL'}`);
    }
    const pwTotal = Object.values(passwordFlood).reduce((a, b) => a + b, 0);
    const hashed = passwordFlood['401'] ?? 0; // a wrong password answered 401 went through argon2
    const signInsOk = (memberSignIns['200'] ?? 0) === Object.values(memberSignIns).reduce((a, b) => a + b, 0);
    if (!signInsOk) failed = true;
    line(`the member's own browser (device cookie) signing in every 2 s during the password flood, which also targets their address: ${JSON.stringify(memberSignIns)} ${signInsOk ? 'pass' : 'FAIL'} (target: every one 200)`);
    line(`password flood: ${pwTotal} attempts (${(pwTotal / SECONDS).toFixed(0)}/s) from ${pwTotal} addresses; statuses ${JSON.stringify(passwordFlood)}; argon2 hashes forced ${(hashed / SECONDS).toFixed(1)}/s`);
    const apTotal = Object.values(applyFlood).reduce((a, b) => a + b, 0);
    line(`apply flood: ${apTotal} applications (${(apTotal / SECONDS).toFixed(0)}/s) from ${apTotal} addresses; statuses ${JSON.stringify(applyFlood)}; stored ${appsAccepted} (${(appsAccepted / SECONDS).toFixed(2)}/s), CV parses forced ${(parsed / SECONDS).toFixed(2)}/s`);
    for (const u of usage) line(u);
    // Where in a flood the slow member requests fell (a burst at the start, or spread out).
    const slowAt = (phase: MemberLatencies, calm: MemberLatencies): string => {
      const all = Object.values(calm.byEndpoint).flat().sort((a, b) => a - b);
      const limit = Math.max(2 * quantile(all, 0.99), 10);
      const bySecond = new Map<number, number>();
      for (const [at, ms] of phase.timeline) if (ms > limit) bySecond.set(Math.floor(at), (bySecond.get(Math.floor(at)) ?? 0) + 1);
      const parts = [...bySecond].sort((a, b) => a[0] - b[0]).map(([sec, n]) => `${sec}s:${n}`);
      return `over ${limit.toFixed(0)} ms: ${parts.length ? parts.join(' ') : 'none'}`;
    };
    line(`slow member requests by second of the phase (second:count), password flood ${slowAt(duringPassword, baseline)}; apply flood ${slowAt(duringApply, baseline2)}`);
    line(failed ? 'floods: FAIL (a member endpoint p99 exceeded 2x its unflooded p99)' : 'floods: pass');
  } finally {
    for (const fn of teardowns.reverse()) await fn();
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[2] === '--flood') {
  const [, , , kind, base, orgSlug, jobSlug, seconds, member] = process.argv;
  await floodChild(kind as 'password' | 'apply', base ?? '', orgSlug ?? '', jobSlug ?? '', Number(seconds), member ?? '');
} else if (process.argv[2] === '--members') {
  await membersChild(process.argv[3] ?? '');
} else {
  await main();
}
