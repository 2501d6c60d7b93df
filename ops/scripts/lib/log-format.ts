// How `npm run demo` shows the app's and worker's logs: human-readable (pino-pretty) in a
// terminal, JSON when piped or redirected (CI, files, log shippers). Production and the
// containers never go through here: they always log JSON.
import type { Writable } from 'node:stream';

export type LogFormat = 'pretty' | 'json';

/** HIREBOX_LOG_FORMAT=pretty|json wins; otherwise pretty only when stdout is a terminal. */
export function demoLogFormat(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): LogFormat {
  const asked = env.HIREBOX_LOG_FORMAT;
  if (asked === 'pretty' || asked === 'json') return asked;
  return stdoutIsTty ? 'pretty' : 'json';
}

/** A stream that takes pino JSON lines and writes one readable line each to `destination`. */
export async function prettyLogStream(destination: Writable, colorize: boolean): Promise<Writable> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    destination,
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    // service is always "hirebox"; process (app or worker) stays, it says who is talking.
    ignore: 'pid,hostname,service',
  });
}
