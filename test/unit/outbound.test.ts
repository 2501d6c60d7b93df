// The outbound guard (issue 14 M3): the address classifier over every notation (fast-check),
// and the helper's behaviour against real local servers: it connects to the address it
// checked with the host name kept in Host, never follows a redirect, caps response size and
// time, and refuses without connecting.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import t from 'tap';
import { createOutbound, describeOutboundFailure, isAllowedAddress, OutboundRefusedError, OutboundResponseTooLargeError, type Resolver } from '../../server/core/outbound.js';

const off = { allowLoopback: false };
const on = { allowLoopback: true };

/** How a URL in a tenant's form would present an IPv4 address: the WHATWG parser normalises them all. */
function notations(a: number, b: number, c: number, d: number): string[] {
  const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  const hex = (x: number) => `0x${x.toString(16)}`;
  const oct = (x: number) => `0${x.toString(8)}`;
  const forms = [`${a}.${b}.${c}.${d}`, String(n), hex(n), `${oct(a)}.${oct(b)}.${oct(c)}.${oct(d)}`, `${hex(a)}.${hex(b)}.${hex(c)}.${hex(d)}`, `${a}.${(b << 16) + (c << 8) + d}`, `${a}.${b}.${(c << 8) + d}`, `[::ffff:${a}.${b}.${c}.${d}]`, `${a}.${b}.${c}.${d}.`];
  return forms.map((f) => new URL(`https://${f}/`).hostname);
}

const internalV4 = fc.oneof(
  fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255)),
);

t.test('every notation of an internal IPv4 address is refused', async (t) => {
  fc.assert(
    fc.property(internalV4, ([a, b, c, d]) => notations(a, b, c, d).every((host) => !isAllowedAddress(host, off))),
    { numRuns: 2000 },
  );
  t.pass('2000 addresses x 9 notations');
});

t.test('every notation of a public IPv4 address is the same verdict as its dotted form; mapped forms always refused', async (t) => {
  fc.assert(
    fc.property(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), (a, b, c, d) => {
      const [dotted, ...rest] = notations(a, b, c, d);
      const verdict = isAllowedAddress(dotted as string, off);
      return rest.every((host) => (host.startsWith('[') ? !isAllowedAddress(host, off) : isAllowedAddress(host, off) === verdict));
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

t.test('the classifier on named cases', async (t) => {
  for (const a of ['8.8.8.8', '93.184.216.34', '2606:4700::1111', '[2a00:1450:4001:81b::200e]']) t.ok(isAllowedAddress(a, off), `public: ${a}`);
  const refused = [
    '169.254.169.254', 'fd00:ec2::254', '[fd00:ec2::254]', '127.0.0.1', '::1', '10.1.2.3', '172.31.255.255', '192.168.0.1', '100.64.0.1', '100.127.255.255',
    '0.0.0.0', '::', '255.255.255.255', '224.0.0.1', 'ff02::1', 'fe80::1', 'fe80::1%eth0', 'fc00::1', '::ffff:127.0.0.1', '::ffff:8.8.8.8', '::127.0.0.1',
    '64:ff9b::a9fe:a9fe', '64:ff9b::808:808', '2002:7f00:1::', '2002:a00:1::', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:db8::1', '192.0.2.1', '198.18.0.1', '240.0.0.1',
    'fec0::1', 'not-an-address', '',
  ];
  for (const a of refused) t.notOk(isAllowedAddress(a, off), `refused: ${a}`);
  t.ok(isAllowedAddress('127.0.0.1', on), 'loopback only with the setting');
  t.ok(isAllowedAddress('::1', on));
  for (const a of ['::ffff:127.0.0.1', '10.0.0.1', '169.254.169.254', '0.0.0.0']) t.notOk(isAllowedAddress(a, on), `not even with the setting: ${a}`);
});

// A local server standing in for a tenant's host.
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}
const seen: Seen[] = [];
let connects = 0;
const server = createServer((req, res) => {
  seen.push({ url: req.url ?? '', headers: req.headers });
  if (req.url === '/redirect') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  if (req.url === '/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16 * 1024, 1));
    return void res.end();
  }
  if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
server.on('connection', () => {
  connects += 1;
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => server.close(() => r())));
const PORT = (server.address() as AddressInfo).port;

const calls: string[] = [];
const resolver: Resolver = async (host) => {
  calls.push(host);
  if (host === 'tenant.example.test') return [{ address: '127.0.0.1', family: 4 }];
  if (host === 'private.example.test') return [{ address: '10.0.0.1', family: 4 }];
  throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
};

t.test('with loopback allowed: connects to the checked address, Host keeps the name, resolves once per connection', async (t) => {
  const outbound = createOutbound({ allowLoopback: true, resolver, timeoutMs: 1_000, maxResponseBytes: 256 * 1024 });
  t.teardown(() => outbound.close());
  calls.length = 0;
  const res = await outbound.fetch(`http://tenant.example.test:${PORT}/hello`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  t.equal(res.status, 200);
  t.same(await res.json(), { ok: true });
  t.equal(seen.at(-1)?.headers.host, `tenant.example.test:${PORT}`, 'Host is the name, the socket went to the pinned address');
  t.same(calls, ['tenant.example.test'], 'one resolution, the one that was checked');

  const redirect = await outbound.fetch(`http://127.0.0.1:${PORT}/redirect`);
  t.equal(redirect.status, 302, 'a redirect is handed back, not followed');
  t.equal(seen.filter((s) => s.url.startsWith('/latest')).length, 0);

  await t.rejects(outbound.fetch(`http://127.0.0.1:${PORT}/big`).then((r) => r.arrayBuffer()), OutboundResponseTooLargeError, 'responses are capped');
  await t.rejects(outbound.fetch(`http://127.0.0.1:${PORT}/slow`), { name: 'TimeoutError' }, 'and time-limited');
  t.equal(describeOutboundFailure(new OutboundRefusedError()), 'refused: address not allowed');
});

t.test('with loopback refused (the default): nothing connects, whatever the notation or name', async (t) => {
  const outbound = createOutbound({ allowLoopback: false, resolver, timeoutMs: 1_000 });
  t.teardown(() => outbound.close());
  const before = connects;
  for (const url of [`http://127.0.0.1:${PORT}/`, `http://127.1:${PORT}/`, `http://0x7f000001:${PORT}/`, `http://[::ffff:127.0.0.1]:${PORT}/`, `http://localhost:${PORT}/`, `http://tenant.example.test:${PORT}/`, 'http://private.example.test/', 'http://user:pw@8.8.8.8/', 'ftp://8.8.8.8/']) {
    await t.rejects(outbound.fetch(url), OutboundRefusedError, `refused: ${url}`);
  }
  t.equal(connects, before, 'no connection was made');
  t.equal(await outbound.hostProblem(`https://tenant.example.test:${PORT}/`), 'address not allowed');
  t.equal(await outbound.hostProblem('https://unresolvable.example.test/'), null, 'a name that does not resolve yet is checked again at connect time');
});
