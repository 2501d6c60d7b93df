// Issue 19 item 2: the Vapi webhook verifier and parser, fuzzed.
//   - verifyRequest never throws, whatever the headers (missing, repeated, huge, binary);
//     a genuinely signed request verifies, and any change to its body, timestamp or
//     signature is refused; the static-secret modes accept only the exact secret;
//   - parseEnvelope never throws on arbitrary bytes and only accepts what it promises
//     (an object message with a sane type and a call id of 1-128 characters);
//   - through the route: correctly signed server messages with mutated fields are answered
//     200 (stored once) or 4xx (nothing stored), never >= 500.
import t from 'tap';
import fc from 'fast-check';
import { parseEnvelope } from '../../server/modules/webhooks/service.js';
import { hmacSignature, messageFreshness, parseTimestampMs, REPLAY_WINDOW_MS, verifyRequest, type EndpointAuth } from '../../server/modules/webhooks/verify.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { fuzzRuns, fuzzSeed } from './arbitraries.js';

const RUNS = fuzzRuns(300);
const SEED = fuzzSeed();
const NOW = Date.now();
const REPLAY_MS = REPLAY_WINDOW_MS;

const headerValue = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), fc.constant(undefined), fc.constant('A'.repeat(70_000)));
const headersArb = fc.dictionary(fc.constantFrom('x-signature', 'x-timestamp', 'authorization', 'x-vapi-secret', 'x-other'), headerValue);
const authArb = fc.record({
  mode: fc.constantFrom<EndpointAuth['mode']>('hmac', 'bearer', 'x-vapi-secret'),
  secret: fc.string({ minLength: 16, maxLength: 64 }),
  signatureHeader: fc.constant('x-signature'),
  timestampHeader: fc.constant('x-timestamp'),
});

t.test(`verifier: never throws, forged or altered requests never verify (${RUNS} cases each)`, async (t) => {
  let cases = 0;
  fc.assert(
    fc.property(authArb, headersArb, fc.uint8Array({ maxLength: 512 }), (auth, headers, body) => {
      cases += 1;
      const verdict = verifyRequest(auth, headers as Record<string, string | string[] | undefined>, Buffer.from(body), NOW);
      // Random headers can only verify by knowing the secret, which they do not.
      return !verdict.ok;
    }),
    { numRuns: RUNS, seed: SEED },
  );
  fc.assert(
    fc.property(
      fc.string({ minLength: 16, maxLength: 64 }),
      fc.uint8Array({ minLength: 1, maxLength: 512 }),
      fc.integer({ min: -REPLAY_MS, max: REPLAY_MS }),
      fc.constantFrom('body', 'timestamp', 'signature', 'none'),
      fc.nat(),
      (secret, bodyBytes, skew, what, pick) => {
        cases += 1;
        const auth: EndpointAuth = { mode: 'hmac', secret, signatureHeader: 'x-signature', timestampHeader: 'x-timestamp' };
        const body = Buffer.from(bodyBytes);
        const ts = String(NOW + skew);
        const signature = hmacSignature(secret, ts, body);
        const headers: Record<string, string> = { 'x-signature': signature, 'x-timestamp': ts };
        if (what === 'none') return verifyRequest(auth, headers, body, NOW).ok;
        if (what === 'body') {
          const altered = Buffer.from(body);
          const i = pick % altered.length;
          altered[i] = (altered[i] ?? 0) ^ (1 + (pick % 255));
          return !verifyRequest(auth, headers, altered, NOW).ok;
        }
        if (what === 'timestamp') return !verifyRequest(auth, { ...headers, 'x-timestamp': String(NOW + skew + 1 + (pick % 1000)) }, body, NOW).ok;
        const i = pick % signature.length;
        const flipped = signature.slice(0, i) + (signature[i] === '0' ? '1' : '0') + signature.slice(i + 1);
        return !verifyRequest(auth, { ...headers, 'x-signature': flipped }, body, NOW).ok;
      },
    ),
    { numRuns: RUNS, seed: SEED },
  );
  fc.assert(
    fc.property(fc.string({ minLength: 16, maxLength: 64 }), fc.string({ maxLength: 80 }), (secret, guess) => {
      cases += 1;
      const bearer: EndpointAuth = { mode: 'bearer', secret, signatureHeader: 'x-signature', timestampHeader: 'x-timestamp' };
      const legacy: EndpointAuth = { ...bearer, mode: 'x-vapi-secret' };
      const ok = verifyRequest(bearer, { authorization: `Bearer ${secret}` }, Buffer.alloc(0), NOW).ok && verifyRequest(legacy, { 'x-vapi-secret': secret }, Buffer.alloc(0), NOW).ok;
      const forged = guess !== secret && (verifyRequest(bearer, { authorization: `Bearer ${guess}` }, Buffer.alloc(0), NOW).ok || verifyRequest(legacy, { 'x-vapi-secret': guess }, Buffer.alloc(0), NOW).ok);
      return ok && !forged;
    }),
    { numRuns: RUNS, seed: SEED },
  );
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String), fc.double().map(String)), fc.anything(), (value, timestamp) => {
      cases += 1;
      const ms = parseTimestampMs(value);
      const fresh = messageFreshness(timestamp, NOW);
      return (ms === null || Number.isSafeInteger(ms)) && (!fresh.ok || (typeof timestamp === 'number' && Math.abs(NOW - (fresh.timestampMs ?? 0)) <= REPLAY_MS));
    }),
    { numRuns: RUNS, seed: SEED },
  );
  t.comment(`verifier: ${cases} cases`);
  t.ok(cases >= RUNS * 4);
});


t.test(`parser: never throws, accepts only well-formed server messages (${RUNS * 2} cases)`, async (t) => {
  let cases = 0;
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
    fc.json().map((s) => Buffer.from(s)),
    fc.record({ message: fc.record({ type: fc.oneof(fc.string(), fc.anything()), call: fc.oneof(fc.record({ id: fc.oneof(fc.string({ maxLength: 200 }), fc.anything()) }), fc.anything()), timestamp: fc.anything() }, { requiredKeys: [] }) }).map((o) => Buffer.from(JSON.stringify(o) ?? '')),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => Buffer.from(`${'{"message":'.repeat(n)}1${'}'.repeat(n)}`)),
  );
  fc.assert(
    fc.property(bytes, (raw) => {
      cases += 1;
      const parsed = parseEnvelope(raw);
      if (!parsed) return true;
      return /^[a-z][a-z0-9-]{0,63}$/.test(parsed.type) && parsed.callId.length >= 1 && parsed.callId.length <= 128 && typeof parsed.envelope.message === 'object';
    }),
    { numRuns: RUNS * 2, seed: SEED },
  );
  t.comment(`parser: ${cases} inputs`);
  t.equal(cases, RUNS * 2);
});

t.test('route: signed server messages with mutated fields are stored (200) or refused (4xx, nothing stored), never 5xx', async (t) => {
  const ctx = await buildTestApp(t);
  const owner = await connectOwner(t, ctx);
  const admin = await createOrgWithMember(ctx, 'admin');
  const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} });
  const hook = created.json<{ id: string; secret: string }>();
  const stored = async (): Promise<number> => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages')).rows[0]?.n ?? -1;
  const runs = Math.max(20, Math.round(RUNS / 5));
  const statuses = new Map<number, number>();
  let seq = 0;
  const message = fc.record({
    type: fc.oneof(fc.constantFrom('status-update', 'end-of-call-report', 'conversation-update', 'transcript', 'tool-calls', 'assistant-request', 'hang'), fc.string({ maxLength: 70 })),
    call: fc.oneof(fc.record({ id: fc.oneof(fc.uuid(), fc.string({ maxLength: 200 })) }), fc.anything()),
    timestamp: fc.oneof(fc.constant('now'), fc.integer(), fc.double(), fc.string()),
    extra: fc.oneof(fc.anything({ maxDepth: 4 }), fc.string({ maxLength: 20_000 }), fc.constant('\u0000\u202E\ud800')),
  });
  await fc.assert(
    fc.asyncProperty(message, async (m) => {
      seq += 1;
      const body = JSON.stringify({ message: { type: m.type, call: m.call, timestamp: m.timestamp === 'now' ? Date.now() + seq : m.timestamp, status: 'ended', artifact: m.extra } });
      const ts = String(Date.now());
      const before = await stored();
      const res = await ctx.app.inject({ method: 'POST', url: `/webhooks/vapi/${hook.id}`, headers: { 'content-type': 'application/json', 'x-signature': hmacSignature(hook.secret, ts, Buffer.from(body)), 'x-timestamp': ts }, payload: body });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${body.slice(0, 300)}`);
      const after = await stored();
      if (res.statusCode >= 400 && after !== before) throw new Error(`refused (${res.statusCode}) yet stored: ${body.slice(0, 300)}`);
      if (res.statusCode === 200 && after > before + 1) throw new Error(`one message stored twice: ${body.slice(0, 300)}`);
    }),
    { numRuns: runs, seed: SEED },
  );
  t.comment(`webhook route: ${runs} signed mutated messages; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.ok(statuses.size > 0);
});
