// The `hirebox` CLI as a real process, built (`npm test` compiles dist/ before the suite),
// with a test file's environment (database, Redis prefix, key files).
import { spawn, spawnSync } from 'node:child_process';
import { builtEntry } from './built.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI's entry point, as the image runs it (`node dist/server/cli.js`). */
export const CLI_SCRIPT = builtEntry('server/cli.js');
const CLI_ARGS = [CLI_SCRIPT];

/** Runs the CLI and waits for it, blocking the test file's event loop (no server of the file answers meanwhile). */
export function cliSync(env: Record<string, string>, args: string[]): CliRun {
  const r = spawnSync(process.execPath, [...CLI_ARGS, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same without blocking: runs can go side by side, and the file's own servers keep answering. */
export function cli(env: Record<string, string>, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
