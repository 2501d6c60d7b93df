// Drives sign-in through the real HTTP API (login, MFA enrolment/verification).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { totpCode } from '../../server/modules/auth/totp.js';
import { ORIGIN } from '../helper.js';

export interface Browser {
  cookie: string;
  csrfToken: string;
  headers: Record<string, string>;
}

export function cookieFrom(res: LightMyRequestResponse, name = 'hirebox'): string {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const found = list.find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie in response (status ${res.statusCode}: ${res.body})`);
  return found.split(';')[0] as string;
}

export function browser(cookie: string, csrfToken: string): Browser {
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken, origin: ORIGIN } };
}

export async function login(app: FastifyInstance, email: string, password: string, remoteAddress = '127.0.0.1'): Promise<{ res: LightMyRequestResponse; browser?: Browser }> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers: { origin: ORIGIN }, remoteAddress });
  if (res.statusCode !== 200) return { res };
  return { res, browser: browser(cookieFrom(res), res.json<{ csrfToken: string }>().csrfToken) };
}

/** Enrols TOTP for a half-authenticated browser; returns the secret, codes and the new browser. */
export async function enrolMfa(app: FastifyInstance, b: Browser, now: () => Date): Promise<{ secret: string; recoveryCodes: string[]; browser: Browser }> {
  const enrol = await app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: b.headers });
  if (enrol.statusCode !== 200) throw new Error(`enroll: ${enrol.statusCode} ${enrol.body}`);
  const { secret } = enrol.json<{ secret: string }>();
  const verify = await app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: b.headers, payload: { code: await totpCode(secret, now()) } });
  if (verify.statusCode !== 200) throw new Error(`verify: ${verify.statusCode} ${verify.body}`);
  const body = verify.json<{ csrfToken: string; recoveryCodes: string[] }>();
  return { secret, recoveryCodes: body.recoveryCodes, browser: browser(cookieFrom(verify), body.csrfToken) };
}
