// The fake OpenAI server of the screening bench in a process of its own, answering like
// the simulated model after LATENCY_MS. In the bench's own process its request handling
// and answer generation (~2 ms per call, two calls per CV) shared the event loop with the
// workers it was measuring; a real provider runs elsewhere. Prints {"baseUrl"} once ready.
import { startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { simulateScreening } from '../../server/modules/model-providers/simulated.js';

// Connections stay open between calls, as a hosted provider keeps them (a 1 s Keep-Alive
// hint made undici open a new connection for every call: a connect and a close per CV).
const fake = await startFakeOpenAI({ latencyMs: Number(process.env.LATENCY_MS ?? 0), keepAliveMs: 60_000 });
fake.setFallback({ kind: 'valid', content: (body: ChatRequestBody) => JSON.stringify(simulateScreening(body.messages[1]?.content ?? '')) });
// The request log is for tests; a bench run does not read it, so it is not kept.
setInterval(() => void fake.requests.splice(0), 1_000).unref();
process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl })}\n`);
process.on('SIGTERM', () => void fake.close().finally(() => process.exit(0)));
