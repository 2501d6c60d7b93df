// `npm run bench`, security headers (issue 19, item 6): what the security-header plugin
// costs per response, measured as the difference between the same route in-process
// (light-my-request, no sockets) with and without the plugin, alternating per round. With
// @fastify/helmet building the headers on every request this was ~40 µs per response.
import Fastify from 'fastify';
import { securityHeadersPlugin } from '../../server/plugins/security-headers.js';
import { median, type createReport } from './report.js';

const REQUESTS = 20_000;

async function perRequestUs(withPlugin: boolean): Promise<number> {
  const app = Fastify();
  if (withPlugin) await app.register(securityHeadersPlugin);
  app.get('/x', async () => ({ ok: true }));
  await app.ready();
  for (let i = 0; i < 2_000; i++) await app.inject({ url: '/x' }); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) await app.inject({ url: '/x' });
  const us = Number(process.hrtime.bigint() - started) / 1e3 / REQUESTS;
  await app.close();
  return us;
}

export async function runHeadersBench(input: { runs: number; report: ReturnType<typeof createReport>; print: (line: string) => void }): Promise<void> {
  const costs: number[] = [];
  for (let r = 0; r < input.runs; r++) {
    const without = await perRequestUs(false);
    const withHeaders = await perRequestUs(true);
    costs.push(withHeaders - without);
    input.print(`${`[${r + 1}/${input.runs}] security headers: µs per response`.padEnd(50)} ${withHeaders.toFixed(1)} with, ${without.toFixed(1)} without\n`);
  }
  input.report.add({
    id: 'headers.us_per_response',
    label: 'security headers: cost per response (µs)',
    value: median(costs),
    unit: 'µs',
    target: { op: '<=', value: 10 },
    detail: `median of ${costs.length}: ${costs.map((x) => x.toFixed(1)).join(' ')} (helmet per request: ~40 µs)`,
  });
}
