// Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): after a
// correct password the browser gets a cookie that names a random device id and is bound, by
// a MAC, to the account's email. A later sign-in to that account from that browser is a
// known device: it is not held by the account lock that wrong passwords from elsewhere set
// (its own failures lock the device instead), and its hash comes from the known lane of the
// hash budget, which a flood from unknown browsers cannot spend. So a distributed flood of
// wrong passwords neither locks members out nor takes their sign-in budget (issue 19).
// The cookie holds no email: only someone who types the account's email can use it, and the
// MAC key is derived from the master keys (the previous ones still verify after a rotation).
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { safeEqual } from '../../core/tokens.js';

/** `__Host-` (Secure, Path=/, no Domain) behind HTTPS; the plain name for local HTTP development. */
export const DEVICE_COOKIE = '__Host-hirebox-device';
export const DEV_DEVICE_COOKIE = 'hirebox-device';
/** How long a browser stays known without signing in again (each sign-in renews it). */
export const DEVICE_COOKIE_MAX_AGE_S = 180 * 24 * 3600;

const VERSION = 'd1';
const ID = /^[A-Za-z0-9_-]{22}$/;

export interface DeviceCookies {
  /** A new cookie value for a browser that just proved the password of `email` (normalised). */
  issue(email: string): string;
  /** The device id when `value` was issued for `email` (normalised) under a current or previous key, else null. */
  recognise(value: string | undefined, email: string): string | null;
}

export function createDeviceCookies(masterKey: Buffer, previousMasterKeys: Buffer[] = []): DeviceCookies {
  const keyOf = (master: Buffer): Buffer => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'hirebox:device-cookie:v1', 32));
  const keys = [masterKey, ...previousMasterKeys].map(keyOf);
  const mac = (key: Buffer, id: string, email: string): string => createHmac('sha256', key).update(`${VERSION}\0${id}\0${email}`).digest('base64url');
  return {
    issue(email) {
      const id = randomBytes(16).toString('base64url');
      return `${VERSION}.${id}.${mac(keys[0] as Buffer, id, email)}`;
    },
    recognise(value, email) {
      if (!value || value.length > 128) return null;
      const [version, id, tag, extra] = value.split('.');
      if (version !== VERSION || !id || !ID.test(id) || !tag || extra !== undefined) return null;
      return keys.some((key) => safeEqual(mac(key, id, email), tag)) ? id : null;
    },
  };
}
