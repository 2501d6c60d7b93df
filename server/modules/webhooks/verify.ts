// Verification of Vapi server messages (pure functions, no I/O).
//
// HMAC (Vapi's HMAC credential, its defaults): signature = hex(HMAC-SHA256(secret,
// `${timestamp}.${rawBody}`)) in header x-signature, timestamp in x-timestamp; the header
// names are configurable per endpoint. A timestamp more than 5 minutes away from now is
// refused (replay window); seconds and milliseconds since the epoch are both accepted.
// Bearer: `Authorization: Bearer <secret>`. Legacy: `X-Vapi-Secret: <secret>`. These two
// sign nothing and send no timestamp header, so their replay window is the message's own
// timestamp (messageFreshness, issue 14).
// Every comparison is constant-time over fixed-length digests.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type AuthMode = 'hmac' | 'bearer' | 'x-vapi-secret';
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

export interface EndpointAuth {
  mode: AuthMode;
  secret: string;
  signatureHeader: string;
  timestampHeader: string;
}

export type Verdict = { ok: true; timestampMs: number | null } | { ok: false; reason: 'missing_signature' | 'bad_signature' | 'missing_timestamp' | 'stale_timestamp' };

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? undefined : v; // a repeated auth header is refused, not guessed at
}

function digestEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a, 'utf8').digest(), createHash('sha256').update(b, 'utf8').digest());
}

/** Parses a Unix timestamp in seconds or milliseconds; null if it is not one. */
export function parseTimestampMs(value: string): number | null {
  if (!/^\d{9,13}$/.test(value)) return null;
  const n = Number(value);
  return value.length >= 12 ? n : n * 1000;
}

export function hmacSignature(secret: string, timestamp: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex');
}

export function verifyRequest(auth: EndpointAuth, headers: Headers, rawBody: Buffer, nowMs: number): Verdict {
  if (auth.mode === 'bearer') {
    const value = header(headers, 'authorization');
    if (!value) return { ok: false, reason: 'missing_signature' };
    return digestEqual(value, `Bearer ${auth.secret}`) ? { ok: true, timestampMs: null } : { ok: false, reason: 'bad_signature' };
  }
  if (auth.mode === 'x-vapi-secret') {
    const value = header(headers, 'x-vapi-secret');
    if (!value) return { ok: false, reason: 'missing_signature' };
    return digestEqual(value, auth.secret) ? { ok: true, timestampMs: null } : { ok: false, reason: 'bad_signature' };
  }
  const signature = header(headers, auth.signatureHeader);
  const timestamp = header(headers, auth.timestampHeader);
  if (!signature) return { ok: false, reason: 'missing_signature' };
  if (!timestamp) return { ok: false, reason: 'missing_timestamp' };
  const tsMs = parseTimestampMs(timestamp);
  // Check the signature before the clock, so a stale *genuine* message is told apart from
  // a forged one in the audit trail; both are refused.
  const given = signature.startsWith('sha256=') ? signature.slice(7) : signature;
  const expected = hmacSignature(auth.secret, timestamp, rawBody);
  if (!/^[0-9a-f]{64}$/i.test(given) || !timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), Buffer.from(expected, 'hex'))) {
    return { ok: false, reason: 'bad_signature' };
  }
  if (tsMs === null || Math.abs(nowMs - tsMs) > REPLAY_WINDOW_MS) return { ok: false, reason: 'stale_timestamp' };
  return { ok: true, timestampMs: tsMs };
}

/**
 * The replay window of the static-secret modes (bearer, X-Vapi-Secret), checked once the
 * secret matched and the body parsed: the message's own timestamp (Vapi's
 * `message.timestamp`, milliseconds since the epoch; seconds accepted too) must be within
 * REPLAY_WINDOW_MS of now, and a message without one is refused. Inside the window a
 * replay stores nothing new: storage is idempotent on (endpoint, call, type, timestamp).
 * This stops a captured message (a log, a proxy, a backup) from being replayed later;
 * whoever holds a static secret can still forge fresh messages, which is why HMAC is the
 * default mode.
 */
export function messageFreshness(timestamp: unknown, nowMs: number): Verdict {
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0) return { ok: false, reason: 'missing_timestamp' };
  const tsMs = parseTimestampMs(String(timestamp));
  if (tsMs === null || Math.abs(nowMs - tsMs) > REPLAY_WINDOW_MS) return { ok: false, reason: 'stale_timestamp' };
  return { ok: true, timestampMs: tsMs };
}
