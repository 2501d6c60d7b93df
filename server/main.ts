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

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, { process: 'app' });
const db = createDb({ connectionString: config.databaseUrl.reveal(), applicationName: 'hirebox-app' });
const redis = createRedis(config.redisUrl.reveal(), 'producer');
redis.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'redis error'));
// The console's audit verify checks checkpoints with the signing key's public half and the
// retired ones (AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES); the app itself never signs.
const audit = createAuditLog({ db, verifyKeys: [createPublicKey(config.auditSigningKey.reveal()), ...config.auditPreviousPublicKeys] });
const mailer = createMailer({ smtpUrl: config.smtpUrl?.reveal() ?? null, from: config.mailFrom, outboxDir: config.dataDir });
const app = await buildApp({ config, db, redis, audit, logger, mailer, migrations: readMigrationFiles() });

onShutdown(
  async () => {
    await app.close();
    await Promise.allSettled([db.close(), redis.quit()]);
    logger.info('app stopped');
  },
  { log: (msg) => logger.info(msg) },
);

await app.listen({ host: config.host, port: config.port });
if (config.aiProvider === 'simulated') logger.info('AI provider: simulated (deterministic stand-in, not for production)');
