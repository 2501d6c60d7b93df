// `npm run bench`, security headers (issue 19, item 6): what the security-header plugin
// costs per response, measured as the difference between the same route in-process
// (over loopback sockets) with and without the plugin. The "before" reference,
// @fastify/helmet building the headers on every request with the same options, is
// measured in the same run (it cost ~40 µs per response when it was the app's plugin).
//
// Method: the three apps are built once and warmed up, then requests are timed (CPU time
// of this process, so other processes on a shared machine do not count) in small
// chunks that alternate between them (none, plugin, helmet, none, ...), so drift of the
// machine's load touches all three alike; the cost per response is the median over chunks
// of (app's chunk time - the neighbouring bare chunk's time). It runs in a child process
// (`node dist/test/bench/headers.js ROUNDS` prints one JSON line), so the heap and the
// timers left by the sections before it in `npm run bench` do not colour a figure of a few
// microseconds; that is what made the full run read 52 µs against 6.7 µs alone.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import { HELMET_OPTIONS, securityHeadersPlugin } from '../../server/plugins/security-headers.js';
import { median, type createReport } from './report.js';

const CHUNK = 1_000;
const CHUNKS_PER_ROUND = 8;
const IN_FLIGHT = 8;

async function buildProbe(kind: 'none' | 'plugin' | 'helmet'): Promise<Probe> {
  const app = Fastify();
  if (kind === 'plugin') await app.register(securityHeadersPlugin);
  if (kind === 'helmet') await app.register(helmet, HELMET_OPTIONS);
  app.get('/x', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return { app, port, agent: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) };
}

interface Probe {
  app: FastifyInstance;
  port: number;
  agent: http.Agent;
}

function get(p: Probe): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: p.port, path: '/x', agent: p.agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

/**
 * CPU time of this process per request (µs), client and server together over loopback
 * sockets: unlike wall time it does not count the moments other processes had the core, and
 * the client's share is the same for the three apps, so it cancels out of the differences.
 * (Not light-my-request's inject: Fastify 5 keeps ~10 KB per injected request until the
 * instance closes, so the growing heap's GC coloured the figures and ran a child out of heap.)
 */
async function chunkUs(p: Probe): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < CHUNK; i += IN_FLIGHT) await Promise.all(Array.from({ length: IN_FLIGHT }, () => get(p)));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / CHUNK;
}

interface HeadersRound {
  /** µs per response of the bare route. */
  bare: number;
  /** Extra µs per response: the plugin, and helmet per request. */
  plugin: number;
  helmet: number;
}

async function measure(rounds: number): Promise<HeadersRound[]> {
  const out: HeadersRound[] = [];
  for (let r = 0; r < rounds; r++) {
    const apps = { none: await buildProbe('none'), plugin: await buildProbe('plugin'), helmet: await buildProbe('helmet') };
    for (const app of Object.values(apps)) for (let i = 0; i < 2; i++) await chunkUs(app); // warm-up: JIT
    const bare: number[] = [];
    const plugin: number[] = [];
    const withHelmet: number[] = [];
    for (let c = 0; c < CHUNKS_PER_ROUND; c++) {
      const b1 = await chunkUs(apps.none);
      const p = await chunkUs(apps.plugin);
      const h = await chunkUs(apps.helmet);
      const b2 = await chunkUs(apps.none);
      const b = (b1 + b2) / 2;
      bare.push(b);
      plugin.push(p - b);
      withHelmet.push(h - b);
    }
    out.push({ bare: median(bare), plugin: median(plugin), helmet: median(withHelmet) });
    for (const p of Object.values(apps)) {
      p.agent.destroy();
      await p.app.close();
    }
  }
  return out;
}

export async function runHeadersBench(input: { runs: number; report: ReturnType<typeof createReport>; print: (line: string) => void }): Promise<void> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), String(input.runs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let json = '';
  child.stdout.on('data', (chunk: Buffer) => (json += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`headers bench child exited with ${code}`);
  const rounds = JSON.parse(json) as HeadersRound[];
  rounds.forEach((x, r) =>
    input.print(`${`[${r + 1}/${rounds.length}] security headers: µs per response`.padEnd(50)} bare ${x.bare.toFixed(1)}; +${x.plugin.toFixed(1)} precomputed, +${x.helmet.toFixed(1)} helmet per request\n`),
  );
  const costs = rounds.map((x) => x.plugin);
  const helmetCosts = rounds.map((x) => x.helmet);
  input.report.add({ id: 'headers.helmet_us_per_response', label: 'security headers: helmet per request (before, µs)', value: median(helmetCosts), unit: 'µs' });
  input.report.add({
    id: 'headers.us_per_response',
    label: 'security headers: cost per response (µs)',
    value: median(costs),
    unit: 'µs',
    target: { op: '<=', value: 10 },
    detail: `median of ${costs.length}: ${costs.map((x) => x.toFixed(1)).join(' ')} (helmet per request in the same run: ${helmetCosts.map((x) => x.toFixed(1)).join(' ')})`,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 5);
  process.stdout.write(`${JSON.stringify(await measure(rounds))}\n`);
}
