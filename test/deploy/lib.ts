// Shared helpers for the deployment tests: temp dirs, child processes and ports,
// each released through the calling test's teardown.
import { spawn, execFile, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../server/core/paths.js';

export const repoRoot = packageRoot();
export const deployDir = join(repoRoot, 'deploy');

const execFileP = promisify(execFile);

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function tempDir(t: Teardown, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hirebox-${prefix}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export { freePort } from '../support/free-port.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws on a non-zero exit. */
export async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileP(cmd, args, {
      cwd: opts.cwd ?? repoRoot,
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: (e.stderr ?? '') + (typeof e.code === 'number' ? '' : `\n${e.message}`),
    };
  }
}

export async function haveCommand(cmd: string): Promise<boolean> {
  const r = await run('sh', ['-c', `command -v ${cmd}`]);
  return r.code === 0;
}

export interface Background {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a long-running process that is killed (process group) at teardown. */
export function background(
  t: Teardown,
  cmd: string,
  args: string[],
  opts: SpawnOptions = {},
): Background {
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  t.teardown(stop);
  return { child, output: () => out, stop };
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The environment the repository's Caddyfile reads, for a Caddy a test runs itself: internal
 *  TLS on loopback, its state under dir, the app at upstream. */
export function testCaddyEnv(o: { dir: string; domain: string; httpsPort: number; adminPort: number; upstream: string }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.dir,
    XDG_DATA_HOME: join(o.dir, 'data'),
    XDG_CONFIG_HOME: join(o.dir, 'config'),
    DOMAIN: o.domain,
    TLS_MODE: 'internal',
    LISTEN: 'loopback',
    HTTPS_PORT: String(o.httpsPort),
    CADDY_ADMIN: `127.0.0.1:${o.adminPort}`,
    UPSTREAM: o.upstream,
    HEALTH_INTERVAL: '60s',
    LB_TRY_DURATION: '0s',
  };
}
