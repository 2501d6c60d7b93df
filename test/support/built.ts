// The built entry points as real processes, started as the image starts them
// (`node dist/server/main.js`, `node dist/worker/main.js`, `node dist/server/cli.js`);
// `npm test` compiles dist/ before the suite runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../server/core/paths.js';

/** The absolute path of a built entry point, e.g. builtEntry('server/main.js'). */
export function builtEntry(entry: string): string {
  return join(packageRoot(), 'dist', entry);
}

export interface BuiltProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts a built entry point with only PATH and the given environment. */
export function startBuilt(entry: string, env: Record<string, string>): BuiltProcess {
  const child = spawn(process.execPath, [builtEntry(entry)], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export { freePort } from './free-port.js';
