// HTTP entry point: config -> deps -> buildApp -> listen; graceful shutdown drains
// in-flight requests before closing Postgres and Redis.
import { createPublicKey } from 'node:crypto';
import { buildApp } from './app.js';
import { createAuditLog } from './core/audit.js';
import { createDb } from './core/db.js';
import { createLogger } from './core/logger.js';
import { createMailer } from './core/mailer.js';
import { readMigrationFiles } from './core/migrate.js';
import { createRedis } from './core/redis.js';
import { loadConfigOrExit, onShutdown } from './runtime.js';
import { createMetrics, startMetricsServer, watchBreakers, watchQueues, type MetricsServer } from './core/metrics.js';
import { PROVIDER_BREAKERS } from './modules/screening/index.js';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, { process: 'app' });
const db = createDb({ connectionString: config.databaseUrl.reveal(), applicationName: 'hirebox-app' });
const redis = createRedis(config.redisUrl.reveal(), 'producer');
redis.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'redis error'));
// The console's audit verify checks checkpoints with the signing key's public half and the
// retired ones (AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES); the app itself never signs.
const audit = createAuditLog({ db, verifyKeys: [createPublicKey(config.auditSigningKey.reveal()), ...config.auditPreviousPublicKeys] });
const mailer = createMailer({ smtpUrl: config.smtpUrl?.reveal() ?? null, from: config.mailFrom, outboxDir: config.dataDir });
// issue 19: Prometheus metrics on the internal listener only (METRICS_PORT), never on PORT.
const metrics = config.metrics.appPort ? createMetrics({ service: 'app' }) : undefined;
if (metrics) {
  watchQueues(metrics, { redis, redisPrefix: config.redisPrefix });
  watchBreakers(metrics, { redis, redisPrefix: config.redisPrefix, names: PROVIDER_BREAKERS });
}
const app = await buildApp({ config, db, redis, audit, logger, mailer, migrations: readMigrationFiles(), metrics });
let metricsServer: MetricsServer | undefined;

onShutdown(
  async () => {
    await app.close();
    await metricsServer?.close();
    await Promise.allSettled([db.close(), redis.quit()]);
    logger.info('app stopped');
  },
  { log: (msg) => logger.info(msg) },
);

await app.listen({ host: config.host, port: config.port });
if (metrics && config.metrics.appPort) {
  // A metrics listener that cannot start does not take the app down; scrapes fail (`up` 0) and the log says why.
  metricsServer = await startMetricsServer({ registry: metrics.registry, host: config.metrics.host, port: config.metrics.appPort, token: config.metrics.token?.reveal() ?? null, logger }).catch((err: unknown) => {
    logger.error({ err: { message: (err as Error).message } }, 'metrics listener failed to start');
    return undefined;
  });
  if (metricsServer) logger.info({ url: `${metricsServer.url}/metrics` }, 'metrics listening');
}
if (config.aiProvider === 'simulated') logger.info('AI provider: simulated (deterministic stand-in, not for production)');
