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
import type pg from 'pg';
import type { Db } from '../../server/core/db.js';

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
  out: (label: string, load: WebhookLoad, base?: WebhookLoad) => void;
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
    const bareFixed = await fixedRate(bareUrl, input.secret, FIXED_RATE, input.seconds);
    input.out(`webhook: bare INSERT, open loop ${FIXED_RATE} req/s`, bareFixed);
    const appFixed = await fixedRate(input.hookUrl, input.secret, FIXED_RATE, input.seconds);
    input.out(`webhook: verified+stored+enqueued, open loop ${FIXED_RATE} req/s`, appFixed);
    process.stdout.write(`${'webhook: targets (issue 7)'.padEnd(50)} saturated ${(appSat.rps / bareSat.rps).toFixed(2)}x of bare (>= 0.6x: ${appSat.rps / bareSat.rps >= 0.6 ? 'met' : 'NOT met'}), p99 at ${FIXED_RATE} req/s ${appFixed.p99} ms (< 25 ms: ${appFixed.p99 < 25 && appFixed.rps >= FIXED_RATE * 0.98 ? 'met' : 'NOT met'}; bare route ${bareFixed.p99} ms)\n`);
    if (bareFixed.failed || appFixed.failed) process.stdout.write(`webhook: failed requests at the fixed rate: bare ${bareFixed.failed}, app ${appFixed.failed}\n`);
    const stored = await input.db.withTenant(orgId, (q) => q.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages'));
    process.stdout.write(`${'webhook: messages stored'.padEnd(50)} ${stored.rows[0]?.n ?? 0} (each unique, none a duplicate)\n`);
  } finally {
    await bare.close();
  }
}
