// TOTP (RFC 6238: SHA-1, 6 digits, 30 s step, ±1 step) with replay protection by time
// step, and single-use recovery codes stored as SHA-256 hashes.
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { DecryptionError, open, seal } from '../../core/crypto.js';

export const TOTP_STEP_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export async function enrolmentPayload(secret: string, label: string): Promise<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }> {
  const otpauthUrl = generateURI({ issuer: 'hirebox', label, secret });
  const qrCodeDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 1 });
  return { secret, otpauthUrl, qrCodeDataUrl };
}

/** The time step the code matched (to refuse replays), or null. */
export async function matchTotp(secret: string, code: string, now: Date): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: TOTP_STEP_SECONDS });
  if (!result.valid) return null;
  return Math.floor(epoch / TOTP_STEP_SECONDS) + result.delta;
}

/** For tests and tools: the current code for a secret. */
export function totpCode(secret: string, now: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
}

/** Ten codes like "7kq4-m2xp-9fhd-3wzt" (80 bits each). */
export function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(16);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}`;
  });
}

export function hashRecoveryCode(code: string): Buffer {
  return createHash('sha256').update(code.trim().toLowerCase().replace(/\s+/g, ''), 'utf8').digest();
}

/**
 * User-level secrets (TOTP seeds) are sealed with a key derived from the master key. While a
 * master key is being rotated, values sealed under a previous master key still open;
 * `hirebox keys rotate` re-seals them under the current one (isCurrent tells which need it).
 */
export function createUserSecretBox(masterKey: Buffer, previousMasterKeys: readonly Buffer[] = []) {
  const derive = (k: Buffer): Buffer => Buffer.from(hkdfSync('sha256', k, Buffer.alloc(0), 'hirebox:user-secrets:v1', 32));
  const key = derive(masterKey);
  const previous = previousMasterKeys.map(derive);
  const aad = (userId: string, column: string) => ({ orgId: 'global', table: 'users', column, rowId: userId });
  const isCurrent = (userId: string, column: string, sealed: Buffer): boolean => {
    try {
      open(key, sealed, aad(userId, column));
      return true;
    } catch (err) {
      if (err instanceof DecryptionError) return false;
      throw err;
    }
  };
  return {
    seal: (userId: string, column: string, value: string): Buffer => seal(key, value, aad(userId, column)),
    open: (userId: string, column: string, sealed: Buffer): string => {
      for (const k of [key, ...previous]) {
        try {
          return open(k, sealed, aad(userId, column)).toString('utf8');
        } catch (err) {
          if (!(err instanceof DecryptionError)) throw err;
        }
      }
      throw new DecryptionError('user secret opens with none of the master keys this process holds');
    },
    isCurrent,
  };
}

export type UserSecretBox = ReturnType<typeof createUserSecretBox>;
