// `npm run bench`, security headers (issue 19, item 6): what the security-header plugin
// costs the server per response, measured as the difference between the same route with and
// without the plugin. The "before" reference, @fastify/helmet building the headers on every
// request with the same options, is measured in the same run (it cost ~40 µs per response
// when it was the app's plugin); the target is the ratio of the two.
//
// Method: a child process (`node dist/test/bench/headers.js --serve`) serves the three apps
// on loopback sockets; this process is the client. Per chunk of requests the child reports
// its own CPU time (user + system), so neither the client's work (parsing the extra header
// lines it receives, which the bare route does not send) nor other processes on a shared
// machine count. Chunks alternate between the apps (none, plugin, helmet, none, ...), so
// drift of the machine's load touches all three alike; the cost per response is the median
// over chunks of (app's chunk CPU - the neighbouring bare chunks' CPU). Each round is a new
// child, so the heap and timers of the sections before it in `npm run bench` do not colour
// a figure of a few microseconds. (Not light-my-request's inject: Fastify 5 keeps ~10 KB per
// injected request until the instance closes, and the growing heap's GC coloured figures.)
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import helmet from '@fastify/helmet';
import { HELMET_OPTIONS, securityHeadersPlugin } from '../../server/plugins/security-headers.js';
import { median, type createReport } from './report.js';

const CHUNK = 1_000;
const CHUNKS_PER_ROUND = 8;
const IN_FLIGHT = 8;
const KINDS = ['none', 'plugin', 'helmet'] as const;
type Kind = (typeof KINDS)[number];

/** The child: the three apps on loopback ports; answers each 'cpu' message with its CPU time so far (µs). */
async function serve(): Promise<void> {
  const ports: Record<string, number> = {};
  for (const kind of KINDS) {
    const app = Fastify();
    if (kind === 'plugin') await app.register(securityHeadersPlugin);
    if (kind === 'helmet') await app.register(helmet, HELMET_OPTIONS);
    app.get('/x', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    ports[kind] = (app.server.address() as AddressInfo).port;
  }
  process.on('message', () => {
    const used = process.cpuUsage();
    process.send?.({ cpu: used.user + used.system });
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ports });
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`headers bench server exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
  });
}

function get(port: number, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/x', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

interface HeadersRound {
  /** Server µs per response of the bare route. */
  bare: number;
  /** Extra server µs per response: the plugin, and helmet per request. */
  plugin: number;
  helmet: number;
}

async function measureRound(): Promise<HeadersRound> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { ports } = await nextMessage<{ ports: Record<Kind, number> }>(child);
    const agents = Object.fromEntries(KINDS.map((k) => [k, new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT })])) as Record<Kind, http.Agent>;
    const serverCpu = async (): Promise<number> => {
      const reply = nextMessage<{ cpu: number }>(child);
      child.send('cpu');
      return (await reply).cpu;
    };
    const chunkUs = async (kind: Kind): Promise<number> => {
      const before = await serverCpu();
      for (let i = 0; i < CHUNK; i += IN_FLIGHT) await Promise.all(Array.from({ length: IN_FLIGHT }, () => get(ports[kind], agents[kind])));
      return ((await serverCpu()) - before) / CHUNK;
    };
    for (const kind of KINDS) for (let i = 0; i < 2; i++) await chunkUs(kind); // warm-up: JIT
    const bare: number[] = [];
    const plugin: number[] = [];
    const withHelmet: number[] = [];
    for (let c = 0; c < CHUNKS_PER_ROUND; c++) {
      const b1 = await chunkUs('none');
      const p = await chunkUs('plugin');
      const h = await chunkUs('helmet');
      const b2 = await chunkUs('none');
      const b = (b1 + b2) / 2;
      bare.push(b);
      plugin.push(p - b);
      withHelmet.push(h - b);
    }
    for (const agent of Object.values(agents)) agent.destroy();
    return { bare: median(bare), plugin: median(plugin), helmet: median(withHelmet) };
  } finally {
    child.kill();
  }
}

export async function runHeadersBench(input: { runs: number; report: ReturnType<typeof createReport>; print: (line: string) => void }): Promise<void> {
  const rounds: HeadersRound[] = [];
  for (let r = 0; r < input.runs; r++) rounds.push(await measureRound());
  rounds.forEach((x, r) =>
    input.print(`${`[${r + 1}/${rounds.length}] security headers: µs per response`.padEnd(50)} bare ${x.bare.toFixed(1)}; +${x.plugin.toFixed(1)} precomputed, +${x.helmet.toFixed(1)} helmet per request\n`),
  );
  const costs = rounds.map((x) => x.plugin);
  const helmetCosts = rounds.map((x) => x.helmet);
  const ratios = rounds.map((x) => x.plugin / x.helmet);
  input.report.add({ id: 'headers.helmet_us_per_response', label: 'security headers: helmet per request (before, µs)', value: median(helmetCosts), unit: 'µs' });
  input.report.add({
    id: 'headers.us_per_response',
    label: 'security headers: precomputed, cost per response (µs)',
    value: median(costs),
    unit: 'µs',
    detail: `median of ${costs.length}: ${costs.map((x) => x.toFixed(1)).join(' ')} (helmet per request in the same run: ${helmetCosts.map((x) => x.toFixed(1)).join(' ')})`,
  });
  // The issue's before/after in the same run. What is left after precomputing is mostly
  // Node writing the 13 header lines, which helmet per request pays as well.
  input.report.add({
    id: 'headers.ratio_to_per_request',
    label: 'security headers: precomputed / helmet per request',
    value: median(ratios),
    unit: 'x',
    target: { op: '<=', value: 0.5 },
    detail: `median of ${ratios.length}: ${ratios.map((x) => x.toFixed(2)).join(' ')}`,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--serve') await serve();
