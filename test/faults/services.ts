// Services the fault suite owns and breaks: its own redis-server and its own PostgreSQL
// (Debian's binaries, a temp data dir, a free port), plus the built app and worker as
// child processes. The machine's shared Postgres and Redis are never touched.
//
// Postgres runs inside a private mount namespace held open by a sleeping process
// (unshare -m), so the suite can give it a small tmpfs (a tablespace for CV blobs) and
// fill it up without any other process seeing that mount. Root is required (initdb and
// postgres then run as user postgres, as Debian's packaging does).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { postgresAnswers, redisAnswers } from '../../ops/scripts/dev-services.js';

export { freePort } from '../support/free-port.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error('the fault suite needs Debian PostgreSQL (apt-get install postgresql)');
  return path.join(base, versions[0], 'bin');
}

function ids(user: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}

export class OwnPostgres {
  readonly port: number;
  readonly dir: string;
  readonly data: string;
  /** A tmpfs of `smallMb` MB, mounted only in this server's namespace. */
  readonly small: string;
  private holder: ChildProcess | null = null;
  private server: ChildProcess | null = null;

  constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
    this.data = path.join(dir, 'pgdata');
    this.small = path.join(dir, 'small');
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  url(database: string, user = 'postgres'): string {
    return `postgres://${user}@127.0.0.1:${this.port}/${database}`;
  }

  async init(smallMb: number): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('the fault suite runs as root (unshare -m, mount, initdb as user postgres)');
    const pg = ids('postgres');
    chmodSync(this.dir, 0o711);
    mkdirSync(this.data, { mode: 0o700 });
    mkdirSync(this.small);
    chownSync(this.data, pg.uid, pg.gid);
    const r = spawnSync('runuser', ['-u', 'postgres', '--', path.join(pgBin(), 'initdb'), '-D', this.data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
    // The namespace lives as long as this process; every postgres start enters it.
    this.holder = spawn('unshare', ['-m', '--propagation', 'private', 'sleep', 'infinity'], { stdio: 'ignore' });
    await sleep(200);
    const m = spawnSync('nsenter', ['-t', String(this.holder.pid), '-m', '--', 'mount', '-t', 'tmpfs', '-o', `size=${smallMb}m,mode=0700,uid=${pg.uid},gid=${pg.gid}`, 'tmpfs', this.small], { encoding: 'utf8' });
    if (m.status !== 0) throw new Error(`mounting the small filesystem failed: ${m.stderr}`);
  }

  async start(): Promise<void> {
    if (!this.holder?.pid) throw new Error('init first');
    this.server = spawn(
      'nsenter',
      ['-t', String(this.holder.pid), '-m', '--', 'runuser', '-u', 'postgres', '--', path.join(pgBin(), 'postgres'), '-D', this.data, '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${this.data}`, '-c', 'fsync=off', '-c', 'max_connections=200'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    this.server.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    await waitFor(`postgres on ${this.port}${log ? `: ${log}` : ''}`, () => postgresAnswers(this.adminUrl), 30_000, 200);
  }

  private postmasterPid(): number | null {
    try {
      return Number(readFileSync(path.join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return null;
    }
  }

  /** 'fast' (SIGINT: connections dropped, clean shutdown) or 'immediate' (SIGQUIT: crash-like, recovery at next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const pid = this.postmasterPid();
    if (!pid) return;
    try {
      process.kill(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    } catch {
      return;
    }
    await waitFor('postgres to stop', () => !existsSync(path.join(this.data, 'postmaster.pid')) || !alive(pid), 30_000, 100);
    this.server = null;
  }

  async close(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    this.holder?.kill('SIGKILL');
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class OwnRedis {
  readonly port: number;
  readonly dir: string;
  private proc: ChildProcess | null = null;

  constructor(dir: string, port: number) {
    this.port = port;
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** With the append-only file on and fsync per write, as production runs it. */
  async start(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no'], { stdio: 'ignore' });
    await waitFor(`redis on ${this.port}`, () => redisAnswers(this.url), 15_000, 50);
  }

  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = null;
  }

  /** The data is gone: as a Redis restarted on a fresh volume, or without persistence. */
  wipe(): void {
    for (const f of readdirSync(this.dir)) rmSync(path.join(this.dir, f), { recursive: true, force: true });
  }
}

export class NodeProcess {
  readonly name: string;
  private proc: ChildProcess | null = null;
  private out = '';
  private readonly script: string;
  private readonly env: Record<string, string>;

  constructor(name: string, script: string, env: Record<string, string>) {
    this.name = name;
    this.script = script;
    this.env = env;
  }

  start(): void {
    this.proc = spawn(process.execPath, [this.script], { env: { PATH: process.env.PATH ?? '', ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer): void => void (this.out = (this.out + d.toString()).slice(-200_000));
    this.proc.stdout?.on('data', keep);
    this.proc.stderr?.on('data', keep);
  }

  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
    this.proc = null;
  }
}
