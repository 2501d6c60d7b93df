// Opaque tokens: generation, hashing for storage, CSRF derivation and constant-time comparison.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh opaque 256-bit token, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The CSRF token is derived from the session token, so it needs no storage and cannot
 * be computed by anyone who does not hold the (HttpOnly) session cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`csrf:${sessionToken}`, 'utf8').digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
