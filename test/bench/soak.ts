// `npm run soak` (issue 19 item 4): the built app and worker as real processes under a mixed
// open-loop load (sign-ins, lists, public applications with CVs that the worker parses and
// screens with the simulated provider, signed Vapi webhooks) for SOAK_SECONDS (default 600;
// e.g. SOAK_SECONDS=60 for a smoke check). A probe preloaded into both processes samples
// event-loop delay, RSS and heap every 5 s. Prints, per process: RSS after warm-up vs at the
// end (growth must be < 10%), event-loop delay p99, and idle RSS once the load stops.
// Exits 1 when RSS grows 10% or more, or requests fail.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { hmacSignature } from '../../server/modules/webhooks/verify.js';
import { makeDocx, makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { createJob } from '../fixtures/hiring.js';
import { buildTestApp, createOrgWithMember, ORIGIN } from '../helper.js';
import { freePort, ip, quantile, startProcess, waitReady } from './processes.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const WARMUP_S = Math.max(30, Math.round(SECONDS * 0.2));
const PASSWORD = 'correct horse battery staple';

/** Requests per second of each kind (open loop). */
const MIX = { signIn: 1, list: 12, apply: 0.5, webhook: 6 };

interface Sample {
  t: number;
  p50: number;
  p99: number;
  max: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  newSpace: number;
  oldSpace: number;
}

const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const teardowns: (() => unknown)[] = [];
  const t = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
  let failed = false;
  const probeDir = mkdtempSync(path.join(tmpdir(), 'hirebox-soak-'));
  t.teardown(() => rmSync(probeDir, { recursive: true, force: true }));
  try {
    const ctx = await buildTestApp(t, { env: { LOG_LEVEL: 'silent' } });
    const admin = await createOrgWithMember(ctx, 'admin');
    const job = await createJob(ctx, admin);
    const { rows } = await ctx.db.pool.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId]);
    const orgSlug = rows[0]?.slug ?? '';
    const { rows: users } = await ctx.db.pool.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [admin.userId]);
    const adminEmail = users[0]?.email ?? '';
    const hookRes = await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} });
    const hook = hookRes.json<{ id: string; secret: string }>();

    const port = await freePort();
    const probe = pathToFileURL(fileURLToPath(new URL('./soak-probe.js', import.meta.url))).href;
    const env = {
      ...ctx.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      TRUST_PROXY: '127.0.0.1',
      APPLY_RATE_PER_JOB_HOUR: '100000',
      APPLY_RATE_PER_ORG_HOUR: '100000',
      NODE_OPTIONS: `--import=${probe}`,
      SOAK_PROBE_DIR: probeDir,
    };
    const app = startProcess('dist/server/main.js', env);
    const worker = startProcess('dist/worker/main.js', env);
    t.teardown(() => {
      app.child.kill('SIGKILL');
      worker.child.kill('SIGKILL');
    });
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base, app);

    const agent = new Agent({ connections: 32 });
    const statuses = new Map<string, Map<number, number>>();
    const latencies = new Map<string, number[]>();
    const pdf = makePdf(SAMPLE_CV_LINES);
    const docx = makeDocx(SAMPLE_CV_LINES);
    let n = 0;
    const kinds: Record<keyof typeof MIX, () => Promise<{ status: number }>> = {
      signIn: async () => {
        const res = await request(`${base}/api/v1/auth/login`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip(10 + (n % 50)) }, body: JSON.stringify({ email: adminEmail, password: PASSWORD }) });
        await res.body.dump();
        return { status: res.statusCode };
      },
      list: async () => {
        const paths = ['/api/v1/jobs', `/api/v1/jobs/${job.id}`, `/api/v1/jobs/${job.id}/applications`, '/api/v1/me'];
        const res = await request(`${base}${paths[n % paths.length] ?? '/api/v1/jobs'}`, { dispatcher: agent, headers: { cookie: admin.cookie, origin: ORIGIN, 'x-forwarded-for': ip(100 + (n % 50)) } });
        await res.body.dump();
        return { status: res.statusCode };
      },
      apply: async () => {
        const file = n % 2 ? { filename: 'cv.pdf', contentType: 'application/pdf', data: pdf } : { filename: 'cv.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', data: docx };
        const { body, contentType } = multipartBody({ name: `Soak Candidate ${n}`, email: `soak${n}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, file);
        const res = await request(`${base}/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, { method: 'POST', dispatcher: agent, headers: { 'content-type': contentType, 'x-forwarded-for': ip(1000 + n) }, body });
        await res.body.dump();
        return { status: res.statusCode };
      },
      webhook: async () => {
        const body = Buffer.from(JSON.stringify({ message: { type: 'status-update', status: 'in-progress', timestamp: Date.now(), call: { id: `soak-call-${n % 200}` } } }));
        const ts = String(Date.now());
        const res = await request(`${base}/webhooks/vapi/${hook.id}`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', 'x-signature': hmacSignature(hook.secret, ts, body), 'x-timestamp': ts, 'x-forwarded-for': ip(5000 + (n % 50)) }, body });
        await res.body.dump();
        return { status: res.statusCode };
      },
    };

    const started = Date.now();
    const end = started + SECONDS * 1000;
    const totalRate = Object.values(MIX).reduce((a, b) => a + b, 0);
    const names = Object.keys(MIX) as (keyof typeof MIX)[];
    const inflight = new Set<Promise<void>>();
    let i = 0;
    let lastReport = started;
    while (Date.now() < end) {
      const due = started + (i * 1000) / totalRate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // Weighted round robin over the mix.
      let pick = (i * 7919) % Math.round(totalRate * 2);
      let kind: keyof typeof MIX = 'list';
      for (const name of names) {
        pick -= MIX[name] * 2;
        if (pick < 0) {
          kind = name;
          break;
        }
      }
      i += 1;
      n += 1;
      const sent = performance.now();
      const p = kinds[kind]()
        .then(
          ({ status }) => status,
          () => 0,
        )
        .then((status) => {
          const m = statuses.get(kind) ?? new Map<number, number>();
          m.set(status, (m.get(status) ?? 0) + 1);
          statuses.set(kind, m);
          const l = latencies.get(kind) ?? [];
          l.push(performance.now() - sent);
          latencies.set(kind, l);
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        process.stderr.write(`soak: ${Math.round((Date.now() - started) / 1000)} s, ${i} requests, ${inflight.size} in flight\n`);
      }
    }
    await Promise.all(inflight);
    const loadEnded = Date.now();
    // Idle: let queues drain and the heap settle, then read each process's RSS.
    await new Promise((r) => setTimeout(r, 20_000));
    await agent.close();

    const read = (role: string): Sample[] => {
      const file = readdirSync(probeDir).find((f) => f.startsWith(`${role}-`));
      if (!file) return [];
      return readFileSync(path.join(probeDir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Sample);
    };
    const line = (s: string): void => void process.stdout.write(`${s}\n`);
    line(`soak: ${SECONDS} s of mixed load (${Object.entries(MIX).map(([k, v]) => `${k} ${v}/s`).join(', ')}), warm-up ${WARMUP_S} s; 2 cores shared`);
    for (const role of ['app', 'worker']) {
      const samples = read(role);
      const loaded = samples.filter((s) => s.t >= started + WARMUP_S * 1000 && s.t <= loadEnded);
      const idle = samples.filter((s) => s.t > loadEnded + 10_000);
      const window = Math.max(3, Math.floor(loaded.length / 10));
      const rssStart = mean(loaded.slice(0, window).map((s) => s.rss));
      const rssEnd = mean(loaded.slice(-window).map((s) => s.rss));
      const growth = rssEnd / rssStart - 1;
      const p99s = loaded.map((s) => s.p99).sort((a, b) => a - b);
      const ok = loaded.length > 0 && growth < 0.1;
      if (!ok) failed = true;
      line(
        `${role.padEnd(7)} RSS after warm-up ${mb(rssStart)} -> end ${mb(rssEnd)} (${(growth * 100).toFixed(1)}%, target < 10%) ${ok ? 'pass' : 'FAIL'}; ` +
          `heap ${mb(mean(loaded.slice(0, window).map((s) => s.heapUsed)))} -> ${mb(mean(loaded.slice(-window).map((s) => s.heapUsed)))}; ` +
          `event-loop delay p99 ${quantile(p99s, 0.5).toFixed(1)} ms (median of 5 s windows), worst window ${(p99s[p99s.length - 1] ?? NaN).toFixed(1)} ms; ` +
          `idle RSS ${idle.length ? mb(mean(idle.map((s) => s.rss))) : 'n/a'}`,
      );
      // The series, condensed: a plateau shows RSS flat from a quarter on; a leak keeps
      // climbing to the end. Each point is the mean of the samples around it.
      const points: [string, Sample[]][] = [['warm-up end', loaded.slice(0, window)]];
      for (const q of [1, 2, 3]) {
        const at = Math.floor((loaded.length * q) / 4);
        points.push([`${q}/4`, loaded.slice(Math.max(0, at - Math.floor(window / 2)), at + Math.ceil(window / 2))]);
      }
      points.push(['end', loaded.slice(-window)], ['idle', idle]);
      for (const [label, xs] of points) {
        const avg = (f: (s: Sample) => number): string => (xs.length ? mb(mean(xs.map(f))) : 'n/a').padStart(8);
        line(
          `  ${role.padEnd(7)} ${label.padEnd(11)} rss ${avg((s) => s.rss)}  heapUsed ${avg((s) => s.heapUsed)}  heapTotal ${avg((s) => s.heapTotal)} ` +
            `(new ${avg((s) => s.newSpace)}, old ${avg((s) => s.oldSpace)})  outside the heap ${avg((s) => s.rss - s.heapTotal)} ` +
            `(external ${avg((s) => s.external)}, arrayBuffers ${avg((s) => s.arrayBuffers)})`,
        );
      }
    }
    for (const [kind, m] of statuses) {
      const l = (latencies.get(kind) ?? []).sort((a, b) => a - b);
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      const bad = [...m].filter(([s]) => s === 0 || s >= 500).reduce((a, [, c]) => a + c, 0);
      if (bad) failed = true;
      line(`${kind.padEnd(8)} ${String(total).padStart(6)} requests, statuses ${JSON.stringify(Object.fromEntries(m))}, p50 ${quantile(l, 0.5).toFixed(1)} ms, p99 ${quantile(l, 0.99).toFixed(1)} ms`);
    }
    const owner = new pg.Client({ connectionString: ctx.services.migrationDatabaseUrl });
    await owner.connect();
    const { rows: docs } = await owner.query<{ parse_status: string; n: number }>('SELECT parse_status, count(*)::int AS n FROM documents GROUP BY 1 ORDER BY 1');
    const { rows: hooks } = await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages');
    await owner.end();
    line(`work done: documents ${JSON.stringify(Object.fromEntries(docs.map((r) => [r.parse_status, r.n])))}, webhook messages stored ${hooks[0]?.n ?? 0}`);
    line(failed ? 'soak: FAIL' : 'soak: pass');
  } finally {
    for (const fn of teardowns.reverse()) await fn();
  }
  process.exit(failed ? 1 : 0);
}

await main();
