// Shared by `npm run test:floods` and `npm run soak`: the built app and worker as child
// processes, a free port, readiness, and small statistics helpers.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../server/core/paths.js';

/**
 * The memory settings the runtime image sets in its ENV (glibc's MALLOC_* and NODE_OPTIONS,
 * a bounded V8 young generation), read from the Dockerfile itself so the benches run app and
 * worker with the memory behaviour production has; without them the soak measured an
 * allocator and a heap sizing production does not run.
 */
export function imageMemoryEnv(): Record<string, string> {
  const dockerfile = readFileSync(path.join(packageRoot(), 'Dockerfile'), 'utf8');
  return Object.fromEntries([...dockerfile.matchAll(/\b(MALLOC_[A-Z_]+|NODE_OPTIONS)=(\S+)/g)].map((m) => [m[1] as string, m[2] as string]));
}

export { freePort } from '../support/free-port.js';

export function startProcess(script: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const image = imageMemoryEnv();
  // The caller's NODE_OPTIONS (the soak's probe) add to the image's rather than replace them.
  const nodeOptions = [image.NODE_OPTIONS, env.NODE_OPTIONS].filter(Boolean).join(' ');
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...image, ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
}

export async function waitReady(base: string, proc: { output: () => string }): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const status = await fetch(`${base}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`app not ready:\n${proc.output()}`);
}

export const ip = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

