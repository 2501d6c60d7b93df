// One cv-screen worker of the screening bench in a process of its own, built as
// worker/worker.ts builds it (the same processor, runner and Worker options), for the
// scenario "2 workers": a deployment scales workers as processes (`--scale worker=2`), each
// with its own event loop. Reads the test app's environment (loadConfig), the fake
// provider's URL and the concurrency from argv. Protocol on stdio: prints "ready" once the
// Worker is connected; "go" on stdin starts it; each finished job prints
// {"status","ms"}; "mark" restarts the count of time inside the screening call, which closing
// stdin prints ({"providerMs"}) before the process exits.
import { createInterface } from 'node:readline';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createAuditLog } from '../../server/core/audit.js';
import { loadConfig } from '../../server/core/config.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createDb } from '../../server/core/db.js';
import { createLogger } from '../../server/core/logger.js';
import { bullPrefix, QUEUES } from '../../server/core/queues.js';
import { loadPlaces } from '../../server/modules/screening/gazetteer.js';
import { createScreeningRunner } from '../../server/modules/screening/service.js';
import { createCvScreenProcessor } from '../../worker/processors/cv-screen.js';
import { createTimedProvider } from './timed-provider.js';

const [, , baseUrl, concurrencyArg] = process.argv;
const config = loadConfig(process.env);
const logger = createLogger('silent');
const db = createDb({ connectionString: config.databaseUrl.reveal(), max: config.workerDbPoolMax });
const connection = new Redis(config.redisUrl.reveal(), { maxRetriesPerRequest: null });
const audit = createAuditLog({ db, signingKey: config.auditSigningKey.reveal() });
const keyring = createKeyring({ masterKey: config.masterKey.reveal() });
const timed = createTimedProvider(baseUrl ?? '');
const provider = timed.provider;
const runner = createScreeningRunner({ db, audit, keyring, provider, defaultModel: 'gpt-bench', logger });
const worker = new Worker(QUEUES.cvScreen, createCvScreenProcessor({ runner, redis: connection, redisPrefix: config.redisPrefix, logger }), {
  connection,
  prefix: bullPrefix(config.redisPrefix),
  concurrency: Number(concurrencyArg ?? 1),
  autorun: false,
});
const activeAt = new Map<string, number>();
const say = (line: unknown): void => void process.stdout.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
worker.on('active', (j) => void activeAt.set(j.id ?? '', performance.now()));
worker.on('completed', (j, outcome: { status?: string }) => say({ status: outcome.status ?? 'unknown', ms: performance.now() - (activeAt.get(j.id ?? '') ?? performance.now()) }));
worker.on('failed', (j) => say({ status: 'failed', ms: performance.now() - (activeAt.get(j?.id ?? '') ?? performance.now()) }));
// As worker/main.ts does before it takes jobs.
loadPlaces();
await worker.waitUntilReady();
say('ready');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'go') void worker.run();
  // The warm-up is over: from here on the time inside the screening call is the measured run's.
  if (line.trim() === 'mark') timed.reset();
});
lines.on('close', () => {
  void (async () => {
    await worker.close();
    say({ providerMs: timed.providerMs });
    await db.close();
    connection.disconnect();
    process.exit(0);
  })();
});
