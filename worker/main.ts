// Worker entry point: one BullMQ Worker per queue; SIGTERM finishes active jobs, then
// closes Redis and Postgres.
import { setPriority } from 'node:os';
import { createAuditLog } from '../server/core/audit.js';
import { createDb } from '../server/core/db.js';
import { createLogger } from '../server/core/logger.js';
import { createRedis } from '../server/core/redis.js';
import { loadConfigOrExit, onShutdown } from '../server/runtime.js';
import { startWorkers } from './worker.js';
import { createModelProvider } from '../server/modules/model-providers/index.js';
import { createVapiApi } from '../server/modules/interviews/index.js';
import { createCircuitBreaker } from '../server/core/circuit-breaker.js';
import { createMailer } from '../server/core/mailer.js';
import { createMetrics, instrumentWorkers, startMetricsServer, watchBreakers, watchQueues } from '../server/core/metrics.js';
import { loadPlaces, PROVIDER_BREAKERS } from '../server/modules/screening/index.js';
import { watchBackups } from '../server/modules/backups/index.js';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, { process: 'worker' });
// Batch work yields the CPU to the app (WORKER_NICE). Set before any thread starts: the CV
// parser's threads and libuv's inherit it (Linux sets the priority per thread).
if (config.workerNice > 0) {
  try {
    setPriority(config.workerNice);
  } catch (err) {
    logger.warn({ err: { message: (err as Error).message } }, 'could not lower the worker priority');
  }
}
const db = createDb({ connectionString: config.databaseUrl.reveal(), max: config.workerDbPoolMax, applicationName: 'hirebox-worker' });
const connection = createRedis(config.redisUrl.reveal(), 'consumer');
connection.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'redis error'));
// One breaker state for the model provider across all worker processes (Redis); see worker/processors/ai-job.ts.
const aiBreaker = config.aiProvider === 'openai' ? createCircuitBreaker({ name: 'openai', redis: connection, prefix: config.redisPrefix, logger }) : undefined;
const audit = createAuditLog({ db, signingKey: config.auditSigningKey.reveal() });
// The redactor's place names, built before any job runs (a second or more of CPU that stalled
// the first screening of every worker process and all jobs beside it).
loadPlaces();
const running = await startWorkers({
  db,
  audit,
  logger,
  connection,
  redisPrefix: config.redisPrefix,
  auditCheckpointEveryMs: config.auditCheckpointEveryMs,
  masterKey: config.masterKey.reveal(),
  previousMasterKeys: config.previousMasterKeys.reveal(),
  erasureLedgerFile: config.erasureLedgerFile,
  screening: { provider: createModelProvider(config), defaultModel: config.openai.model, redis: connection, breaker: aiBreaker },
  interviews: {
    vapi: config.vapi.apiKey ? createVapiApi({ apiKey: config.vapi.apiKey.reveal(), baseUrl: config.vapi.baseUrl }) : null,
    // Interview reminders: the same transport as the app (dev: the outbox log under the data dir).
    mailer: createMailer({ smtpUrl: config.smtpUrl?.reveal() ?? null, from: config.mailFrom, outboxDir: config.dataDir }),
    vapiBreaker: config.vapi.apiKey ? createCircuitBreaker({ name: 'vapi', redis: connection, prefix: config.redisPrefix, logger }) : undefined,
    publicUrl: config.publicUrl,
    assistantModel: config.vapi.assistantModel,
    allowLoopbackRecordings: config.nodeEnv !== 'production',
  },
  alerts: { mailer: createMailer({ smtpUrl: config.smtpUrl?.reveal() ?? null, from: config.mailFrom, outboxDir: config.dataDir }), nodeEnv: config.nodeEnv, publicUrl: config.publicUrl, outbound: { allowLoopback: config.outbound.allowLoopback } },
  biasMonitor: { redis: connection },
  vapiDeletion: { redis: connection },
  backupMonitor: { redis: connection, expected: config.backups.expected, maxAgeMs: config.backups.maxAgeMs },
  eventHooks: { redis: connection, nodeEnv: config.nodeEnv },
  cvParse: { redis: connection, perOrgConcurrency: config.intake.cvParsePerOrg, maxPages: config.intake.cvMaxPages },
  privacyDeadlines: { redis: connection },
  trustChecks: { redis: connection, config },
  reconcile: config.reconcile,
});
logger.info({ queues: running.workers.map((w) => w.name), dbPoolMax: db.pool.options.max }, 'worker started');
// issue 19: Prometheus metrics on the internal listener only (WORKER_METRICS_PORT).
const metrics = config.metrics.workerPort ? createMetrics({ service: 'worker' }) : undefined;
if (metrics) {
  instrumentWorkers(metrics, running.workers);
  watchQueues(metrics, { redis: connection, redisPrefix: config.redisPrefix });
  watchBreakers(metrics, { redis: connection, redisPrefix: config.redisPrefix, names: PROVIDER_BREAKERS });
  watchBackups(metrics, { db });
}
const metricsServer =
  metrics && config.metrics.workerPort
    ? // A metrics listener that cannot start does not stop the worker; scrapes fail (`up` 0) and the log says why.
      await startMetricsServer({ registry: metrics.registry, host: config.metrics.host, port: config.metrics.workerPort, token: config.metrics.token?.reveal() ?? null, logger }).catch((err: unknown) => {
        logger.error({ err: { message: (err as Error).message } }, 'metrics listener failed to start');
        return undefined;
      })
    : undefined;
if (metricsServer) logger.info({ url: `${metricsServer.url}/metrics` }, 'metrics listening');

onShutdown(
  async () => {
    await running.close();
    await metricsServer?.close();
    await Promise.allSettled([connection.quit(), db.close()]);
    logger.info('worker stopped');
  },
  { log: (msg) => logger.info(msg) },
);
