// `npm run bench`, webhook part (issue 7): Vapi server messages on loopback. Each request
// is signed (HMAC over `${ts}.${body}`) with its own call id, so none is a duplicate, and
// goes through the real route: verified, sealed, stored, enqueued (BullMQ). The baseline is
// a bare Fastify route doing the same single INSERT with no verification and no queue.
// Two measurements, each for both routes in the same run:
//  - saturation: autocannon, 50 connections, closed loop (requests/s and its ratio);
//  - fixed rate: open-loop.ts at 2,000 req/s evenly spaced, latency from the instant each
//    request was due (p50/p99), which is what "p99 at 2,000 req/s" asks.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import pg from 'pg';
import { Pipeline } from 'ioredis';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Db } from '../../server/core/db.js';
import { median, type createReport } from './report.js';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const OPEN_LOOP = new URL('./open-loop.js', import.meta.url).pathname;
export const FIXED_RATE = 2000;

export interface WebhookLoad {
  rps: number;
  p50: number;
  p99: number;
}

function childJson(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

/** Closed loop at saturation: autocannon in a child process, a setupRequest signing every request. */
async function saturate(url: string, secret: string, seconds: number): Promise<WebhookLoad> {
  const script = `const { createHmac } = require('node:crypto'); let n = 0;
    require(process.env.AC)({ url: process.env.URL, method: 'POST', connections: 50, duration: ${seconds},
      requests: [{ method: 'POST', setupRequest: (req) => { const ts = String(Date.now()); const body = JSON.stringify({ message: { type: 'status-update', status: 'in-progress', timestamp: Number(ts), call: { id: 'bench-' + process.pid + '-' + (n++) } } });
        return { ...req, body, headers: { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': createHmac('sha256', process.env.SECRET).update(ts + '.' + body).digest('hex') } }; } }] },
      (err, r) => { process.stdout.write(JSON.stringify(err ? { error: String(err) } : r)); });`;
  const json = await childJson(['-e', script], { AC: AUTOCANNON, URL: url, SECRET: secret });
  const r = JSON.parse(json || '{}') as { non2xx?: number; errors?: number; requests?: { average: number }; latency: { p50: number; p99: number } };
  if (r.non2xx || r.errors || !r.requests) throw new Error(`${url}: ${json.slice(0, 300)}`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

const WARMUP_S = Number(process.env.WARMUP ?? 3);

/**
 * Event-loop delay, GC pauses and CPU time of this process (where the app and the bare
 * route run) during fn. CPU per request (user + system, over the warm-up and the measured
 * seconds, every request of which is answered) is the figure a loaded machine disturbs
 * least: latency there is mostly waiting for a core, CPU time is not.
 */
async function observed<T>(requests: number, fn: () => Promise<T>): Promise<T & { loopP99: number; loopMax: number; gcMs: number; gcMaxMs: number; cpuUsPerRequest: number }> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let gcMs = 0;
  let gcMaxMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcMaxMs = Math.max(gcMaxMs, e.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  loop.enable();
  const cpu = process.cpuUsage();
  try {
    const r = await fn();
    const used = process.cpuUsage(cpu);
    return { ...r, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, gcMs, gcMaxMs, cpuUsPerRequest: (used.user + used.system) / requests };
  } finally {
    loop.disable();
    gc.disconnect();
  }
}

const q = (xs: number[], p: number): number => (xs.length ? ([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number) : 0);

/**
 * Where the app's time goes during fn, from this process (the app runs in it): each
 * webhook_store_messages round trip (a store batch: its size and duration) and each Redis
 * pipeline (the webhook-ingest addBulk), timed by wrapping pg's and ioredis' prototypes.
 */
async function traced<T>(fn: () => Promise<T>): Promise<T & { trace: string }> {
  const client = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const pipeline = (Pipeline as unknown as { prototype: { exec: (...args: unknown[]) => Promise<unknown> } }).prototype;
  const query = client.query;
  const exec = pipeline.exec;
  const batches: number[] = [];
  const batchMs: number[] = [];
  const redisMs: number[] = [];
  client.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : '';
    if (!text.includes('webhook_store_messages(')) return query.apply(this, args);
    const t0 = performance.now();
    batches.push((args[1] as unknown[][])[0]?.length ?? 0);
    // pg-pool passes a callback; a direct call gets a promise.
    const last = args.length - 1;
    const cb = args[last];
    if (typeof cb === 'function') {
      args[last] = (...res: unknown[]) => {
        batchMs.push(performance.now() - t0);
        return (cb as (...a: unknown[]) => unknown)(...res);
      };
      return query.apply(this, args);
    }
    const r = query.apply(this, args);
    if (r instanceof Promise) void r.then(() => batchMs.push(performance.now() - t0), () => undefined);
    return r;
  };
  pipeline.exec = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const r = exec.apply(this, args);
    void r.then(() => redisMs.push(performance.now() - t0), () => undefined);
    return r;
  };
  try {
    const r = await fn();
    const mean = batches.length ? batches.reduce((a, b) => a + b, 0) / batches.length : 0;
    const trace = `store batches ${batches.length} (size mean ${mean.toFixed(1)}, max ${q(batches, 1)}; round trip p50 ${q(batchMs, 0.5).toFixed(1)} / p99 ${q(batchMs, 0.99).toFixed(1)} / max ${q(batchMs, 1).toFixed(1)} ms); Redis pipelines ${redisMs.length} (p50 ${q(redisMs, 0.5).toFixed(1)} / p99 ${q(redisMs, 0.99).toFixed(1)} / max ${q(redisMs, 1).toFixed(1)} ms)`;
    return { ...r, trace };
  } finally {
    client.query = query;
    pipeline.exec = exec;
  }
}

/** Open loop at a fixed rate (open-loop.ts). */
async function fixedRate(url: string, secret: string, rate: number, seconds: number): Promise<WebhookLoad & { failed: number }> {
  const json = await childJson([OPEN_LOOP], { URL: url, SECRET: secret, RATE: String(rate), SECONDS: String(seconds) });
  const r = JSON.parse(json || '{}') as { ok?: number; failed?: number; rps: number; p50: number; p99: number };
  if (!r.ok) throw new Error(`${url}: ${json.slice(0, 300)}`);
  return { rps: r.rps, p50: r.p50, p99: r.p99, failed: r.failed ?? 0 };
}

export async function runWebhookBench(input: {
  db: Db;
  ownerPool: pg.Pool;
  orgId: string;
  /** The app's URL for the org's endpoint, and its secret. */
  hookUrl: string;
  endpointId: string;
  secret: string;
  seconds: number;
  runs: number;
  out: (label: string, load: WebhookLoad, base?: WebhookLoad) => void;
  report: ReturnType<typeof createReport>;
}): Promise<void> {
  const { ownerPool, orgId } = input;
  await ownerPool.query('CREATE TABLE IF NOT EXISTS bench_plain_messages (LIKE webhook_messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)');
  const bare = Fastify();
  bare.removeAllContentTypeParsers();
  bare.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
  bare.post('/bare', async (request) => {
    const raw = request.body as Buffer;
    const m = (JSON.parse(raw.toString('utf8')) as { message: { type: string; timestamp: number; call: { id: string } } }).message;
    await ownerPool.query('INSERT INTO bench_plain_messages (org_id, endpoint_id, call_id, message_type, message_ts, body_enc) VALUES ($1, $2, $3, $4, $5, $6)', [orgId, input.endpointId, m.call.id, m.type, m.timestamp, raw]);
    return { received: true };
  });
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/bare`;
  try {
    const bareSat = await saturate(bareUrl, input.secret, input.seconds);
    input.out('webhook: bare INSERT, saturated (baseline)', bareSat);
    const appSat = await saturate(input.hookUrl, input.secret, input.seconds);
    input.out('webhook: verified+stored+enqueued, saturated', appSat, bareSat);
    input.report.add({ id: 'webhook.saturated_ratio', label: 'webhook: saturated, app / bare INSERT', value: appSat.rps / bareSat.rps, unit: 'x', target: { op: '>=', value: 0.6 } });
    // RUNS rounds of the bare route then the app at the same fixed rate; the p99 ratio of
    // each round, and their median (issue 19, item 5). Event-loop delay and GC pauses of
    // this process (the app's) are printed with each, to see where a tail comes from.
    const ratios: number[] = [];
    const apps: number[] = [];
    const bares: number[] = [];
    const appCpu: number[] = [];
    const bareCpu: number[] = [];
    let failed = 0;
    // Each phase starts from a checkpoint, and the two routes take turns to go first. The WAL
    // written before a phase (the other route's, the earlier sections') is otherwise flushed
    // during whichever route runs next, and with the bare route always first that was the app.
    let checkpointRefused: string | null = null;
    const checkpoint = async (): Promise<void> => {
      if (checkpointRefused === null) await ownerPool.query('CHECKPOINT').catch((err: Error) => void (checkpointRefused = err.message));
    };
    for (let r = 0; r < input.runs; r++) {
      const requests = FIXED_RATE * (WARMUP_S + input.seconds);
      const measureBare = async () => {
        await checkpoint();
        return observed(requests, () => fixedRate(bareUrl, input.secret, FIXED_RATE, input.seconds));
      };
      const measureApp = async () => {
        await checkpoint();
        return observed(requests, () => traced(() => fixedRate(input.hookUrl, input.secret, FIXED_RATE, input.seconds)));
      };
      const appFirst = r % 2 === 1;
      const firstApp = appFirst ? await measureApp() : null;
      const bareFixed = await measureBare();
      const appFixed = firstApp ?? (await measureApp());
      const round = `[${r + 1}/${input.runs}${appFirst ? ', app first' : ''}]`;
      for (const [label, x] of [[`${round} webhook: bare INSERT, open loop ${FIXED_RATE} req/s`, bareFixed], [`${round} webhook: verified+stored+enqueued, ${FIXED_RATE} req/s`, appFixed]] as const) {
        input.out(label, x);
        process.stdout.write(`${''.padEnd(50)}   this process:  event-loop delay p99 ${x.loopP99.toFixed(1)} ms, max ${x.loopMax.toFixed(1)} ms; GC ${x.gcMs.toFixed(0)} ms total, longest ${x.gcMaxMs.toFixed(1)} ms; CPU ${x.cpuUsPerRequest.toFixed(0)} µs a request\n`);
      }
      process.stdout.write(`${''.padEnd(50)}   app: ${appFixed.trace}\n`);
      failed += bareFixed.failed + appFixed.failed;
      ratios.push(appFixed.p99 / bareFixed.p99);
      apps.push(appFixed.p99);
      bares.push(bareFixed.p99);
      appCpu.push(appFixed.cpuUsPerRequest);
      bareCpu.push(bareFixed.cpuUsPerRequest);
    }
    if (checkpointRefused !== null) process.stdout.write(`webhook: CHECKPOINT refused (${checkpointRefused}); the phases ran without one\n`);
    const detail = `median of ${ratios.length}: ${ratios.map((x) => x.toFixed(2)).join(' ')} (app p99 ${apps.join('/')} ms, bare ${bares.join('/')} ms)`;
    input.report.add({ id: 'webhook.bare_p99_ms', label: `webhook: bare INSERT p99 at ${FIXED_RATE} req/s`, value: median(bares), unit: 'ms' });
    input.report.add({ id: 'webhook.app_p99_ms', label: `webhook: app p99 at ${FIXED_RATE} req/s`, value: median(apps), unit: 'ms' });
    input.report.add({ id: 'webhook.bare_cpu_us', label: `webhook: bare INSERT CPU per request at ${FIXED_RATE} req/s`, value: median(bareCpu), unit: 'µs' });
    input.report.add({ id: 'webhook.app_cpu_us', label: `webhook: app CPU per request at ${FIXED_RATE} req/s`, value: median(appCpu), unit: 'µs' });
    input.report.add({ id: 'webhook.p99_ratio', label: `webhook: p99 at ${FIXED_RATE} req/s, app / bare`, value: median(ratios), unit: 'x', target: { op: '<=', value: 1.5 }, detail });
    if (failed) process.stdout.write(`webhook: failed requests at the fixed rate: ${failed}\n`);
    const stored = await input.db.withTenant(orgId, (q) => q.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages'));
    process.stdout.write(`${'webhook: messages stored'.padEnd(50)} ${stored.rows[0]?.n ?? 0} (each unique, none a duplicate)\n`);
  } finally {
    await bare.close();
  }
}
