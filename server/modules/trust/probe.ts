// How the trust checks reach this install from the outside: through PUBLIC_URL (Caddy in
// production), never through the app's own port. TRUST_SELF_CONNECT dials another address
// (e.g. the Caddy service inside compose) while SNI and Host stay PUBLIC_URL's, and
// TRUST_SELF_CA_FILE adds the CA of an internal certificate (Caddy's `tls internal`).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';

export interface SelfTarget {
  publicUrl: URL;
  connect: { host: string; port: number | null } | null;
  ca: Buffer | null;
  timeoutMs?: number;
}

export interface SelfResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const MAX_BODY = 64 * 1024;

function endpoint(target: SelfTarget): { host: string; port: number } {
  const url = target.publicUrl;
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  return { host: target.connect?.host ?? url.hostname.replace(/^\[|\]$/g, ''), port: target.connect?.port ?? (url.port ? Number(url.port) : defaultPort) };
}

/** GET path at PUBLIC_URL; the body is cut at 64 KiB. */
export function fetchSelf(target: SelfTarget, path: string): Promise<SelfResponse> {
  const { host, port } = endpoint(target);
  const https = target.publicUrl.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const options = {
      host,
      port,
      path,
      method: 'GET',
      headers: { host: target.publicUrl.host, 'user-agent': 'hirebox-trust-check' },
      timeout: target.timeoutMs ?? 5_000,
      ...(https ? { servername: target.publicUrl.hostname, ...(target.ca ? { ca: target.ca } : {}), minVersion: 'TLSv1.2' as SecureVersion } : {}),
    };
    const req = (https ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.publicUrl.origin} within ${target.timeoutMs ?? 5_000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export type Handshake = { ok: true; protocol: string; authorized: boolean; authorizationError: string | null } | { ok: false; error: string };

/** One TLS handshake offering exactly `version`. Old versions are offered at security level 0 so this client can speak them at all. */
export function handshake(target: SelfTarget, version: SecureVersion): Promise<Handshake> {
  const { host, port } = endpoint(target);
  const old = version === 'TLSv1' || version === 'TLSv1.1';
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      servername: target.publicUrl.hostname,
      minVersion: version,
      maxVersion: version,
      rejectUnauthorized: false,
      ...(old ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
      ...(target.ca ? { ca: target.ca } : {}),
    });
    const timer = setTimeout(() => socket.destroy(new Error('handshake timed out')), target.timeoutMs ?? 5_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const protocol = socket.getProtocol() ?? 'unknown';
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : null;
      resolve({ ok: true, protocol, authorized: socket.authorized, authorizationError });
      socket.end();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, error: err.code ?? err.message });
    });
  });
}

/** Whether a refused handshake was refused by the server (not impossible on this client). */
export function refusedByServer(error: string): boolean {
  return !/NO_PROTOCOLS_AVAILABLE|NO_CIPHERS_AVAILABLE|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|timed out|EHOSTUNREACH|ETIMEDOUT/.test(error);
}

/** max-age of a Strict-Transport-Security value, or null. */
export function hstsMaxAge(value: string | string[] | undefined): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  const m = v ? /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(v) : null;
  return m ? Number(m[1]) : null;
}
