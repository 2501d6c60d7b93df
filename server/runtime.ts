// Shared start-up pieces for the app, worker and CLI composition roots.
import { ConfigError, loadConfig, type Config } from './core/config.js';

/** Loads config or exits with one clear line per problem. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hirebox: invalid configuration\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
      process.exit(1);
    }
    throw err;
  }
}

/** Runs close() once on SIGTERM/SIGINT, then exits; a second signal or a hang forces exit. */
export function onShutdown(close: () => Promise<void>, options: { timeoutMs?: number; log?: (msg: string) => void } = {}): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) process.exit(1);
    closing = true;
    options.log?.(`received ${signal}, shutting down`);
    const timer = setTimeout(() => {
      options.log?.('shutdown timed out');
      process.exit(1);
    }, options.timeoutMs ?? 25_000);
    timer.unref();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
