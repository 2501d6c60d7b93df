// One outbound-HTTP helper for every server-side request to a URL a tenant can set (alert
// webhooks, OIDC discovery/token/userinfo/JWKS, and every future integration): issue 14 M3.
//
// - Address policy: only globally routable unicast addresses. The classification is
//   ipaddr.js (whitequark, used by Express's proxy-addr; maintained, IANA special-purpose
//   registries) rather than hand-written CIDR lists; we allow exactly its "unicast" range,
//   so loopback, RFC 1918, link-local (169.254.169.254), CGNAT, ULA (fd00:ec2::254),
//   multicast, unspecified, broadcast, reserved, IPv4-mapped/compatible IPv6, NAT64,
//   6to4 and Teredo are all refused, whatever they embed. Every notation (2130706433,
//   0177.0.0.1, 0x7f.1, 127.1, [::ffff:127.0.0.1], trailing dot, IDN) is first normalised
//   by the WHATWG URL parser and parsed again by ipaddr.js.
// - No DNS rebinding: the check runs inside undici's connector, on the address the socket
//   then connects to (the host name is resolved once, every answer checked, the first one
//   pinned); TLS SNI and the Host header keep the host name.
//   request-filtering-agent was considered: it filters node:http Agents, but fetch (ours
//   and openid-client's customFetch) runs on undici, whose connector is the equivalent
//   hook, so undici's own Agent + connector is the smaller, exact fit.
// - Redirects are never followed (redirect: 'manual'): a 3xx comes back as it is.
// - Every request has a total timeout and a response-size cap (decoded bytes).
// - Loopback (127/8, ::1 only, never mapped forms) is allowed only with
//   OUTBOUND_ALLOW_LOOPBACK=true, a development/test setting that config refuses in production.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';

/** The single message for every refused address: it never says whether an internal host exists or answered. */
export const REFUSED_MESSAGE = 'address not allowed';
export const OUTBOUND_TIMEOUT_MS = 10_000;
export const OUTBOUND_MAX_RESPONSE_BYTES = 1024 * 1024;

export class OutboundRefusedError extends Error {
  readonly code = 'OUTBOUND_REFUSED';
  constructor() {
    super(REFUSED_MESSAGE);
    this.name = 'OutboundRefusedError';
  }
}

export class OutboundResponseTooLargeError extends Error {
  readonly code = 'OUTBOUND_RESPONSE_TOO_LARGE';
  constructor() {
    super('response too large');
    this.name = 'OutboundResponseTooLargeError';
  }
}

/** Resolves a host name to every address it has (injectable: tests map names to chosen addresses). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface AddressPolicy {
  allowLoopback: boolean;
}

/** Whether a literal IP address (any notation ipaddr.js accepts, brackets and zone ids tolerated) may be connected to. */
export function isAllowedAddress(raw: string, policy: AddressPolicy): boolean {
  const address = stripBrackets(raw).replace(/%.*$/, '');
  if (!ipaddr.isValid(address)) return false;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return false;
  }
  // No process(): an IPv4-mapped address keeps its own "ipv4Mapped" range and is refused.
  const range = parsed.range();
  if (range === 'unicast') return true;
  return range === 'loopback' && policy.allowLoopback;
}

function stripBrackets(host: string): string {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Host names that mean this machine without asking DNS (RFC 6761). */
function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

export interface OutboundInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams | Uint8Array;
  signal?: AbortSignal;
}

export interface OutboundOptions extends AddressPolicy {
  resolver?: Resolver;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export function createOutbound(options: OutboundOptions) {
  const policy: AddressPolicy = { allowLoopback: options.allowLoopback };
  const resolver = options.resolver ?? systemResolver;
  const timeoutMs = options.timeoutMs ?? OUTBOUND_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? OUTBOUND_MAX_RESPONSE_BYTES;

  /** The checked address to connect to for `host`, or OutboundRefusedError. */
  async function pin(host: string): Promise<string> {
    const bare = stripBrackets(host);
    if (isIP(bare) !== 0 || ipaddr.isValid(bare)) {
      if (!isAllowedAddress(bare, policy)) throw new OutboundRefusedError();
      return ipaddr.parse(bare.replace(/%.*$/, '')).toString();
    }
    if (isLocalhostName(bare) && !policy.allowLoopback) throw new OutboundRefusedError();
    const answers = await resolver(bare);
    // Every answer must pass: a name with one public and one internal address is refused.
    if (answers.length === 0 || answers.some((a) => !isAllowedAddress(a.address, policy))) throw new OutboundRefusedError();
    return (answers[0] as { address: string }).address;
  }

  const baseConnect = buildConnector({ timeout: Math.min(timeoutMs, 5_000) });
  const agent = new Agent({
    connect: (opts, callback) => {
      pin(opts.hostname).then(
        // Only the socket address changes: servername (SNI) still comes from opts.host.
        (address) => baseConnect({ ...opts, hostname: address }, callback),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
      );
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxRedirections: 0,
  });

  function causeOf(err: unknown): unknown {
    let e: unknown = err;
    for (let i = 0; i < 5 && e && typeof e === 'object'; i += 1) {
      if (e instanceof OutboundRefusedError || e instanceof OutboundResponseTooLargeError) return e;
      e = (e as { cause?: unknown }).cause;
    }
    return err;
  }

  function capped(res: Response): Response {
    const declared = Number(res.headers.get('content-length') ?? 'NaN');
    if (Number.isFinite(declared) && declared > maxBytes) {
      void res.body?.cancel();
      throw new OutboundResponseTooLargeError();
    }
    const nullBody = [101, 204, 205, 304].includes(res.status) || !res.body;
    let seen = 0;
    const body = nullBody
      ? null
      : (res.body as ReadableStream<Uint8Array>).pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              seen += chunk.byteLength;
              if (seen > maxBytes) controller.error(new OutboundResponseTooLargeError());
              else controller.enqueue(chunk);
            },
          }),
        );
    const out = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    Object.defineProperty(out, 'url', { value: res.url });
    return out;
  }

  return {
    /** fetch for tenant-set URLs: refused addresses throw OutboundRefusedError; redirects are returned, not followed. */
    async fetch(input: string | URL, init: OutboundInit = {}): Promise<Response> {
      const url = new URL(input);
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) throw new OutboundRefusedError();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      let res: Response;
      try {
        const request: UndiciRequestInit = { method: init.method ?? 'GET', headers: init.headers, body: init.body, redirect: 'manual', signal, dispatcher: agent };
        res = (await undiciFetch(url, request)) as unknown as Response;
      } catch (err) {
        throw causeOf(err);
      }
      return capped(res);
    },

    /**
     * Save-time check of a tenant-set URL's host: a refused literal, localhost name or a name
     * that resolves to a refused address gives REFUSED_MESSAGE. A name that does not resolve
     * (yet) passes: the connect-time check guards every request anyway.
     */
    async hostProblem(raw: string): Promise<string | null> {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return 'must be an absolute URL';
      }
      try {
        await pin(url.hostname);
        return null;
      } catch (err) {
        return err instanceof OutboundRefusedError ? REFUSED_MESSAGE : null;
      }
    },

    async close(): Promise<void> {
      await agent.close();
    },
  };
}
export type Outbound = ReturnType<typeof createOutbound>;

/** What a caller may show about a failed outbound request: never a host, address or message from the far side. */
export function describeOutboundFailure(err: unknown): string {
  if (err instanceof OutboundRefusedError) return `refused: ${REFUSED_MESSAGE}`;
  if (err instanceof OutboundResponseTooLargeError) return 'response too large';
  const name = (err as { name?: unknown }).name;
  return name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'unreachable';
}
