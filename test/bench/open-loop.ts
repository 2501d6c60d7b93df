// Open-loop load at a fixed rate, for "p99 at N req/s" targets (run as a child process by
// webhook.ts). autocannon's own rate mode does not measure that: each connection fires its
// per-second quota back to back and then idles (a burst at full speed every second), and
// its coordinated-omission correction assumes a 1 ms interval whatever the rate. Here
// requests are due at evenly spaced instants, sent on keep-alive connections (opened as
// needed, so a slow answer never holds the next request back), and each latency is taken
// from the instant the request was DUE, so a stall of the server or of this process counts
// in full. A warm-up at the same rate comes first (WARMUP seconds, default 3: a cold
// process compiles its hot paths and opens its pool connections) and is not recorded; the
// measured run starts after every warm-up request has been answered.
//
// Input (env): URL, RATE (req/s), SECONDS, SECRET (signs each body like Vapi's HMAC
// credential: hex HMAC-SHA256 over `${timestamp}.${body}` in x-signature / x-timestamp).
// Output: one JSON line {sent, ok, failed, rps, p50, p90, p99, max} (latencies in ms).
import { createHmac } from 'node:crypto';
import http from 'node:http';

const url = new URL(process.env.URL ?? '');
const rate = Number(process.env.RATE ?? 1000);
const seconds = Number(process.env.SECONDS ?? 5);
const secret = process.env.SECRET ?? '';
const warmupSeconds = Number(process.env.WARMUP ?? 3);

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const latencies: number[] = [];
let sent = 0;
let ok = 0;
let failed = 0;
let seq = 0;

function send(dueAt: number, record: boolean): Promise<void> {
  const ts = String(Date.now());
  const body = JSON.stringify({ message: { type: 'status-update', status: 'in-progress', timestamp: Number(ts), call: { id: `open-${process.pid}-${seq++}` } } });
  const signature = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-timestamp': ts, 'x-signature': signature } },
      (res) => {
        res.resume();
        res.on('end', () => {
          const done = performance.now();
          if (record) {
            if (res.statusCode === 200) {
              ok += 1;
              latencies.push(done - dueAt);
            } else failed += 1;
          }
          resolve();
        });
      },
    );
    req.on('error', () => {
      if (record) failed += 1;
      resolve();
    });
    req.end(body);
  });
}

/** Sends `seconds` worth of requests at `rate`, each due at its own instant; resolves when all are answered. */
async function run(seconds: number, record: boolean): Promise<number> {
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        if (record) sent += 1;
        inFlight.push(send(start + next * intervalMs, record));
        next += 1;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  return (performance.now() - start) / 1000;
}

if (warmupSeconds > 0) await run(warmupSeconds, false);
const elapsedS = await run(seconds, true);
agent.destroy();

latencies.sort((a, b) => a - b);
const at = (q: number): number => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN).toFixed(1));
process.stdout.write(`${JSON.stringify({ sent, ok, failed, rps: Math.round(ok / elapsedS), p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) })}\n`);
