// Prometheus metrics (issue 19 item 7): one registry per process (app or worker) with
// Node's default metrics (heap, RSS, GC, event-loop delay), plus what an operator watches:
// request latency by route pattern (server/plugins/metrics.ts), queue depth and the age
// of the oldest waiting and active job per queue, job completions, retries and final
// failures per queue, and the provider circuit breakers.
//
// Queue and breaker state lives in Redis, so it is sampled when Prometheus scrapes (at
// most once per `cacheMs`), never on a timer. Labels are bounded by construction: queue
// names come from QUEUES, breaker names from the caller, routes are patterns (or
// 'unmatched'); no ids, e-mail addresses or other request data ever become a label.
//
// The registry is served by startMetricsServer on its own internal listener (METRICS_PORT /
// WORKER_METRICS_PORT, METRICS_HOST), never by the public app.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createCircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { bullPrefix, QUEUES, type QueueName } from './queues.js';

export type MetricsService = 'app' | 'worker';

/** Latency buckets (seconds) for HTTP requests. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Duration buckets (seconds) for jobs: CV parses and AI calls take seconds, sweeps longer. */
export const JOB_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface Metrics {
  readonly registry: Registry;
  readonly service: MetricsService;
  readonly http: {
    duration: Histogram<'method' | 'route' | 'status_class'>;
    requests: Counter<'method' | 'route' | 'status_code'>;
  };
  readonly jobs: {
    completed: Counter<'queue'>;
    /** Attempts that failed and will be retried. */
    retries: Counter<'queue'>;
    /** Jobs that failed for good (attempts exhausted or unrecoverable). */
    failed: Counter<'queue'>;
    stalled: Counter<'queue'>;
    duration: Histogram<'queue' | 'outcome'>;
  };
}

export function createMetrics(options: { service: MetricsService; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  // Heap, RSS, GC, handles and the event-loop delay percentiles (nodejs_eventloop_lag_p99_seconds, ...).
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const registers = [registry];
  return {
    registry,
    service: options.service,
    http: {
      duration: new Histogram({
        name: 'hirebox_http_request_duration_seconds',
        help: 'HTTP request latency by route pattern (unknown URLs share route="unmatched").',
        labelNames: ['method', 'route', 'status_class'],
        buckets: HTTP_BUCKETS,
        registers,
      }),
      requests: new Counter({ name: 'hirebox_http_requests_total', help: 'HTTP requests by route pattern and status code.', labelNames: ['method', 'route', 'status_code'], registers }),
    },
    jobs: {
      completed: new Counter({ name: 'hirebox_jobs_completed_total', help: 'Jobs completed by this worker process, per queue.', labelNames: ['queue'], registers }),
      retries: new Counter({ name: 'hirebox_job_retries_total', help: 'Job attempts that failed and will be retried, per queue.', labelNames: ['queue'], registers }),
      failed: new Counter({ name: 'hirebox_jobs_failed_total', help: 'Jobs that failed for good (attempts exhausted or unrecoverable), per queue.', labelNames: ['queue'], registers }),
      stalled: new Counter({ name: 'hirebox_jobs_stalled_total', help: 'Active jobs found stalled (their worker died or blocked) and handed back, per queue.', labelNames: ['queue'], registers }),
      duration: new Histogram({ name: 'hirebox_job_duration_seconds', help: 'Time from a job attempt starting to it finishing, per queue and outcome.', labelNames: ['queue', 'outcome'], buckets: JOB_BUCKETS, registers }),
    },
  };
}

/** Counts completions, retries, final failures and stalls of the given BullMQ workers. */
export function instrumentWorkers(metrics: Metrics, workers: readonly Worker[]): void {
  const { jobs } = metrics;
  const elapsed = (job: Job | undefined): number | null => (job?.processedOn && job.finishedOn ? Math.max(0, job.finishedOn - job.processedOn) / 1000 : null);
  for (const w of workers) {
    const queue = w.name;
    w.on('completed', (job) => {
      jobs.completed.inc({ queue });
      const s = elapsed(job);
      if (s !== null) jobs.duration.observe({ queue, outcome: 'completed' }, s);
    });
    w.on('failed', (job, err) => {
      if (!job) {
        jobs.failed.inc({ queue });
        return;
      }
      // BullMQ sets finishedOn only when it moves the job to failed (attempts exhausted,
      // UnrecoverableError, too many starts); a retry leaves it unset.
      const final = Boolean(job.finishedOn) || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      (final ? jobs.failed : jobs.retries).inc({ queue });
      const s = job.processedOn ? Math.max(0, Date.now() - job.processedOn) / 1000 : null;
      if (s !== null) jobs.duration.observe({ queue, outcome: final ? 'failed' : 'retry' }, s);
    });
    w.on('stalled', () => jobs.stalled.inc({ queue }));
  }
}

// For one queue: the oldest waiting job's due time (enqueued, or its delay elapsed, or its
// last attempt started for a retried job) and the oldest active job's start. BullMQ pushes
// onto the left of the wait and active lists and takes from the right, so their oldest jobs
// are the rightmost few (ARGV[3]). cv-parse jobs are prioritized: a sorted set scored
// priority * 2^32 + an insertion counter, so the oldest job of each priority is the first of
// its band; the script jumps from band to band (at most ARGV[2] bands, O(log n) each) instead
// of reading every job, so a scrape during a flood stays cheap for Redis.
// KEYS: wait, paused, prioritized, active; ARGV: job key prefix, band cap, list tail.
const OLDEST = `
local cap = tonumber(ARGV[2])
local oldestDue = 0
local oldestStart = 0
local function scan(ids, active)
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', ARGV[1] .. id, 'timestamp', 'delay', 'processedOn')
    local ts = tonumber(f[1] or '0') or 0
    if active then
      local started = tonumber(f[3] or '0') or 0
      if started > 0 and (oldestStart == 0 or started < oldestStart) then oldestStart = started end
    elseif ts > 0 then
      local due = ts + (tonumber(f[2] or '0') or 0)
      local started = tonumber(f[3] or '0') or 0
      if started > due then due = started end
      if oldestDue == 0 or due < oldestDue then oldestDue = due end
    end
  end
end
local tail = tonumber(ARGV[3])
scan(redis.call('LRANGE', KEYS[1], -tail, -1), false)
scan(redis.call('LRANGE', KEYS[2], -tail, -1), false)
local band = 4294967296
local from = 0
for _ = 1, cap do
  local first = redis.call('ZRANGEBYSCORE', KEYS[3], from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then break end
  scan({ first[1] }, false)
  from = (math.floor(tonumber(first[2]) / band) + 1) * band
end
scan(redis.call('LRANGE', KEYS[4], -tail, -1), true)
return { oldestDue, oldestStart }
`;

/** Rejects when `promise` has not settled after `ms` (a Redis that is down may queue commands forever). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const COUNT_STATES = ['wait', 'prioritized', 'paused', 'active', 'delayed', 'waiting-children', 'failed'] as const;

export interface QueueSample {
  queue: QueueName;
  counts: Record<(typeof COUNT_STATES)[number], number>;
  /** Seconds since the oldest waiting job became due (0 when none waits). */
  oldestWaitingAgeSeconds: number;
  /** Seconds since the oldest active job's attempt started (0 when none is active). */
  oldestActiveAgeSeconds: number;
}

export interface QueueWatch {
  sample(): Promise<QueueSample[]>;
}

/**
 * Queue depth and oldest-job ages per queue, read from Redis when scraped (cached for
 * cacheMs, default 2 s, so several scrapers or a fast scrape interval cost one read).
 */
export function watchQueues(
  metrics: Metrics,
  options: { redis: Redis; redisPrefix: string; queues?: readonly QueueName[]; cacheMs?: number; clock?: () => number; /** Most priority bands of a prioritized queue looked at per scrape (default 500). */ priorityBands?: number; timeoutMs?: number },
): QueueWatch {
  const queues = options.queues ?? (Object.values(QUEUES) as QueueName[]);
  const prefix = bullPrefix(options.redisPrefix);
  const clock = options.clock ?? Date.now;
  const cacheMs = options.cacheMs ?? 2_000;
  const cap = String(options.priorityBands ?? 500);
  let cached: { at: number; value: Promise<QueueSample[]> } | null = null;

  async function read(): Promise<QueueSample[]> {
    const pipeline = options.redis.pipeline();
    for (const q of queues) {
      const k = (s: string): string => `${prefix}:${q}:${s}`;
      pipeline.llen(k('wait'));
      pipeline.zcard(k('prioritized'));
      pipeline.llen(k('paused'));
      pipeline.llen(k('active'));
      pipeline.zcard(k('delayed'));
      pipeline.zcard(k('waiting-children'));
      pipeline.zcard(k('failed'));
      pipeline.eval(OLDEST, 4, k('wait'), k('paused'), k('prioritized'), k('active'), `${prefix}:${q}:`, cap, '20');
    }
    const replies = (await within(pipeline.exec(), options.timeoutMs ?? 3_000, 'reading queue state')) ?? [];
    const now = clock();
    const per = COUNT_STATES.length + 1;
    return queues.map((queue, i) => {
      const slice = replies.slice(i * per, (i + 1) * per);
      const failed = slice.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      const counts = Object.fromEntries(COUNT_STATES.map((s, j) => [s, Number(slice[j]?.[1] ?? 0)])) as QueueSample['counts'];
      const [due, started] = (slice[per - 1]?.[1] as [number, number] | undefined) ?? [0, 0];
      return {
        queue,
        counts,
        oldestWaitingAgeSeconds: due > 0 ? Math.max(0, now - Number(due)) / 1000 : 0,
        oldestActiveAgeSeconds: started > 0 ? Math.max(0, now - Number(started)) / 1000 : 0,
      };
    });
  }

  function sample(): Promise<QueueSample[]> {
    const now = Date.now();
    if (!cached || now - cached.at >= cacheMs) {
      const value = read();
      cached = { at: now, value };
      // A failed read is not cached: the next scrape tries again.
      value.catch(() => {
        if (cached?.value === value) cached = null;
      });
    }
    return cached.value;
  }

  // Redis down: the queue gauges are left empty (and hirebox_queue_scrape_error is 1) so the
  // rest of the scrape (process metrics, request latency) still answers.
  const samples = (): Promise<QueueSample[]> => sample().catch(() => []);
  const registers = [metrics.registry];
  new Gauge({
    name: 'hirebox_queue_jobs',
    help: 'Jobs per queue and state (wait, prioritized and paused are all waiting to run).',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const s of await samples()) for (const state of COUNT_STATES) this.set({ queue: s.queue, state }, s.counts[state]);
    },
  });
  new Gauge({
    name: 'hirebox_queue_oldest_waiting_age_seconds',
    help: 'Seconds since the oldest waiting job of the queue became due (0 when nothing waits).',
    labelNames: ['queue'],
    registers,
    async collect() {
      this.reset();
      for (const s of await samples()) this.set({ queue: s.queue }, s.oldestWaitingAgeSeconds);
    },
  });
  new Gauge({
    name: 'hirebox_queue_oldest_active_age_seconds',
    help: 'Seconds since the oldest active job of the queue started its attempt (0 when nothing runs).',
    labelNames: ['queue'],
    registers,
    async collect() {
      this.reset();
      for (const s of await samples()) this.set({ queue: s.queue }, s.oldestActiveAgeSeconds);
    },
  });
  new Gauge({
    name: 'hirebox_queue_scrape_error',
    help: '1 when the last read of queue state from Redis failed (the queue gauges are then empty).',
    registers,
    async collect() {
      try {
        await sample();
        this.set(0);
      } catch {
        this.set(1);
      }
    },
  });
  return { sample };
}

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half_open'];

/** The shared provider circuit breakers (state in Redis), one series per breaker and state (1 = current). */
export function watchBreakers(metrics: Metrics, options: { redis: Redis; redisPrefix: string; names: readonly string[]; timeoutMs?: number }): void {
  const breakers = options.names.map((name) => createCircuitBreaker({ name, redis: options.redis, prefix: options.redisPrefix }));
  new Gauge({
    name: 'hirebox_circuit_breaker_state',
    help: 'Provider circuit breaker state: 1 for the current state (closed, open, half_open), 0 for the others.',
    labelNames: ['breaker', 'state'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      const states = await Promise.all(breakers.map(async (b) => ({ name: b.name, state: await within(b.status(), options.timeoutMs ?? 3_000, 'reading breaker state').then((s) => s.state, () => null) })));
      for (const { name, state } of states) {
        // Redis unreachable: no series for this breaker rather than a guess.
        if (state === null) continue;
        for (const s of BREAKER_STATES) this.set({ breaker: name, state: s }, s === state ? 1 : 0);
      }
    },
  });
}

export interface MetricsServerOptions {
  registry: Registry;
  host: string;
  port: number;
  /** Bearer token the scraper must send; null: no token (the listener is internal anyway). */
  token?: string | null;
  logger?: Logger;
}

export interface MetricsServer {
  /** http://host:port of the listener. */
  readonly url: string;
  close(): Promise<void>;
}

const sha = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function problem(res: ServerResponse, status: number, title: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ type: 'about:blank', title, status }));
}

/**
 * A hostname (e.g. a compose network alias such as `app-metrics`) resolves to the address
 * of this container on that network: of the names' addresses, the one a local interface
 * holds. An IP address is used as it is.
 */
export async function resolveListenHost(host: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  const local = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
  const found = await lookup(host, { all: true });
  const mine = found.find((a) => local.has(a.address));
  if (!mine) throw new Error(`METRICS_HOST ${host} does not resolve to an address of this host`);
  return mine.address;
}

/** Serves GET /metrics (and nothing else) on an internal listener. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const expected = options.token ? sha(`Bearer ${options.token}`) : null;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return problem(res, 404, 'Not Found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return problem(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    if (expected) {
      const given = req.headers.authorization;
      if (typeof given !== 'string' || !timingSafeEqual(sha(given), expected)) return problem(res, 401, 'Unauthorized', { 'www-authenticate': 'Bearer realm="metrics"' });
    }
    const body = await options.registry.metrics();
    res.writeHead(200, { 'content-type': options.registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.logger?.warn({ err: { message: (err as Error).message } }, 'metrics scrape failed');
      if (!res.headersSent) problem(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  // A scraper has no business holding connections open for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const host = await resolveListenHost(options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
