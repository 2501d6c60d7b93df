// pino options shared by app, worker and CLI. Logs carry ids, never PII or secrets:
// known paths are redacted, and free-text messages are scrubbed of emails and phone numbers.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-vapi-secret"]',
  'req.headers["x-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.secret',
  '*.email',
  '*.phone',
  '*.apiKey',
  '*.databaseUrl',
  '*.redisUrl',
  'password',
  'token',
  'secret',
  'email',
  'phone',
];

// The lookbehind starts a match only at the start of a run: without it a long run with no @
// (a 15 KB URL of percent-escapes) was rescanned from every position, O(n²): ~1 s of CPU per
// request line, before any route or limiter (found by the route fuzzer, issue 19).
const EMAIL = /(?<![A-Z0-9._%+-])[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
// Phone-like runs: optional +, then 8+ digits possibly separated by spaces, dots or dashes.
const PHONE = /\+?\d[\d\s().-]{7,}\d/g;
// URL paths that carry one-time tokens (invites, setup, reset links).
const TOKEN_PATH = /\/(i|setup|reset|invite)\/[A-Za-z0-9_-]{16,}/g;

// Digit runs the phone pattern also matches but that are not phone numbers: an IPv4 address
// (a listen address in a start-up line) or an ISO date. Both are useful in logs and identify no one.
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function scrubText(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(TOKEN_PATH, '/$1/[token]')
    .replace(PHONE, (run) => (IPV4.test(run) || ISO_DATE.test(run) ? run : '[phone]'));
}

export function loggerOptions(level: string, base: Record<string, unknown> = {}): LoggerOptions {
  return {
    level,
    base: { service: 'hirebox', ...base },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      req(req: { id?: string; method?: string; url?: string; ip?: string }) {
        return { id: req.id, method: req.method, url: req.url ? scrubText(req.url.split('?')[0] ?? '') : undefined };
      },
      err: pino.stdSerializers.err,
    },
    hooks: {
      // Scrub interpolated message strings; structured fields are covered by redact paths.
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
  };
}

export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level, base), destination) : pino(loggerOptions(level, base));
}

export type { Logger };
