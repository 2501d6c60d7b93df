// The real openai SDK against the fake OpenAI-compatible server: wire format, store:false,
// temperature 0, seed, strict json_schema; retries with backoff honouring Retry-After;
// timeouts; the simulated provider's determinism.
import t from 'tap';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { createOpenAiProvider, retryDelayMs } from '../../server/modules/model-providers/openai.js';
import { createSimulatedProvider } from '../../server/modules/model-providers/simulated.js';
import { ProviderError, type StructuredRequest } from '../../server/modules/screening/model.js';
import { buildPrompt } from '../../server/modules/screening/prompt.js';
import { outputJsonSchema, parseOutput, SCHEMA_NAME } from '../../server/modules/screening/schema.js';

const fake = await startFakeOpenAI();
t.teardown(() => fake.close());
const waits: number[] = [];
const provider = (o: Partial<Parameters<typeof createOpenAiProvider>[0]> = {}) =>
  createOpenAiProvider({ apiKey: 'sk-test-not-a-real-key', baseUrl: fake.baseUrl, timeoutMs: 2_000, maxRetries: 2, baseDelayMs: 10, sleep: async (ms) => void waits.push(ms), ...o });

const prompt = buildPrompt({
  title: 'Backend Engineer',
  description: 'Build things.',
  criteria: [
    { name: 'TypeScript', description: 'production TypeScript', weight: 3, mustHave: true },
    { name: 'Postgres', description: 'schema design', weight: 1, mustHave: false },
  ],
  cvText: 'Senior engineer\n6 years of TypeScript services\nDesigned Postgres schemas for billing\nLikes climbing',
});
const request: StructuredRequest = { model: 'gpt-test', system: prompt.system, user: prompt.user, schemaName: SCHEMA_NAME, schema: outputJsonSchema(2), seed: 7 };

t.beforeEach(() => {
  fake.reset();
  waits.length = 0;
});

t.test('a valid structured answer comes back with usage, model and the provider request id', async (t) => {
  const res = await provider().complete(request);
  t.equal(res.attempts, 1);
  t.equal(res.simulated, false);
  t.equal(res.model, 'gpt-test');
  t.match(res.requestId, /^req_fake_/);
  t.ok(res.usage.inputTokens > 0 && res.usage.outputTokens > 0 && res.usage.totalTokens === res.usage.inputTokens + res.usage.outputTokens);
  t.ok(parseOutput(res.content ?? '', 2).ok, 'the fake answers per the requested schema');
  const body = fake.requests[0]?.body;
  t.equal(body?.store, false, 'store: false');
  t.equal(body?.temperature, 0, 'temperature 0');
  t.equal(body?.seed, 7, 'fixed seed');
  t.same(body?.response_format?.type, 'json_schema');
  t.equal(body?.response_format?.json_schema?.strict, true, 'strict structured output');
  t.equal(body?.response_format?.json_schema?.name, SCHEMA_NAME);
  t.same(body?.messages.map((m) => m.role), ['system', 'user']);
  t.equal(fake.requests[0]?.headers.authorization, 'Bearer sk-test-not-a-real-key');
});

t.test('a refusal is returned as a refusal, not as content', async (t) => {
  fake.script({ kind: 'refusal', message: 'I cannot help with that.' });
  const res = await provider().complete(request);
  t.equal(res.content, null);
  t.equal(res.refusal, 'I cannot help with that.');
});

t.test('429 with Retry-After waits what the server asked, then succeeds', async (t) => {
  fake.script({ kind: 'status', status: 429, retryAfter: '3' }, { kind: 'valid' });
  const res = await provider().complete(request);
  t.equal(res.attempts, 2);
  t.same(waits, [3000], 'waited Retry-After seconds');
  t.equal(fake.requests.length, 2);
});

t.test('Retry-After is capped so a hostile or broken server cannot park the worker', async (t) => {
  fake.script({ kind: 'status', status: 429, retryAfter: '86400' }, { kind: 'valid' });
  await provider({ maxRetryAfterMs: 5_000 }).complete(request);
  t.same(waits, [5000]);
});

t.test('500s back off exponentially with jitter and end in success', async (t) => {
  fake.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'valid' });
  const res = await provider({ random: () => 1 }).complete(request);
  t.equal(res.attempts, 3);
  t.same(waits, [10, 20], 'base 10 ms doubling');
});

t.test('persistent 500s end in a retryable ProviderError after maxRetries', async (t) => {
  fake.setFallback({ kind: 'status', status: 500 });
  const err = await provider().complete(request).catch((e: unknown) => e);
  t.ok(err instanceof ProviderError);
  t.match(err, { retryable: true, status: 500, attempts: 3, code: 'http_500' });
  t.equal(fake.requests.length, 3);
});

t.test('400 is not retried', async (t) => {
  fake.script({ kind: 'status', status: 400 });
  const err = await provider().complete(request).catch((e: unknown) => e);
  t.match(err, { retryable: false, status: 400, attempts: 1 });
  t.equal(fake.requests.length, 1);
});

t.test('a hanging server hits the timeout and is retried; a slow one within the timeout succeeds', async (t) => {
  fake.script({ kind: 'hang' }, { kind: 'valid', delayMs: 150 });
  const started = Date.now();
  const res = await provider({ timeoutMs: 400 }).complete(request);
  t.equal(res.attempts, 2);
  t.ok(Date.now() - started >= 400, 'the first attempt timed out');
  fake.setFallback({ kind: 'hang' });
  const err = await provider({ timeoutMs: 200, maxRetries: 1 }).complete(request).catch((e: unknown) => e);
  t.match(err, { code: 'timeout', retryable: true, attempts: 2 });
});

t.test('retry delays: Retry-After seconds, HTTP date, retry-after-ms, else capped exponential backoff with jitter', async (t) => {
  const o = { baseDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 60_000, random: () => 0.5 };
  t.equal(retryDelayMs(1, new Headers({ 'retry-after': '2' }), o), 2000);
  t.equal(retryDelayMs(1, new Headers({ 'retry-after-ms': '250' }), o), 250);
  t.equal(retryDelayMs(1, new Headers({ 'retry-after': new Date(10_000).toUTCString() }), o, 4_000), 6000);
  t.equal(retryDelayMs(1, undefined, o), 750);
  t.equal(retryDelayMs(3, undefined, o), 3000);
  t.equal(retryDelayMs(10, undefined, o), 6000, 'capped at maxDelayMs (jittered)');
  const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(2, undefined, { ...o, random: Math.random })));
  t.ok(spread.size > 10, 'jitter spreads retries');
  for (const d of spread) t.ok(d >= 1000 && d <= 2000);
});

t.test('the simulated provider is deterministic, labelled, and answers in the pinned schema with verbatim quotes', async (t) => {
  const sim = createSimulatedProvider();
  const a = await sim.complete(request);
  const b = await sim.complete(request);
  t.equal(a.content, b.content, 'same input, same output');
  t.equal(a.simulated, true);
  const parsed = parseOutput(a.content ?? '', 2);
  t.ok(parsed.ok);
  if (parsed.ok) {
    t.match(parsed.value.summary, /SIMULATED/);
    t.same(parsed.value.criteria.c1?.evidence, ['6 years of TypeScript services']);
    t.equal(parsed.value.criteria.c1?.verdict, 'partly');
  }
});
