// What startWorkers takes: main.ts fills it from config, tests from throwaway Postgres/Redis.
// Each optional section switches one worker module on (worker/modules/*.ts reads its own).
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../server/core/audit.js';
import type { CircuitBreaker } from '../server/core/circuit-breaker.js';
import type { Config, NodeEnv } from '../server/core/config.js';
import type { Db } from '../server/core/db.js';
import type { Mailer } from '../server/core/mailer.js';
import type { Resolver } from '../server/core/outbound.js';
import type { VapiApi } from '../server/modules/interviews/index.js';
import type { ModelProvider } from '../server/modules/screening/index.js';

export interface WorkerDeps {
  db: Db;
  audit: AuditLog;
  logger: Logger;
  connection: ConnectionOptions;
  redisPrefix: string;
  auditCheckpointEveryMs: number;
  /** Cron pattern (UTC) of the daily retention sweep (needs masterKey); default 03:17 every day. */
  retentionSweepPattern?: string;
  /** Unwraps org keys (cv-parse decrypts CVs and encrypts extracted text); without it no cv-parse worker runs. */
  masterKey?: Buffer;
  /** Previous master keys (MASTER_KEY_PREVIOUS_FILES): unwrap org keys not yet re-wrapped by `hirebox keys rotate`. */
  previousMasterKeys?: readonly Buffer[];
  /** The erasure ledger file (ERASURE_LEDGER_PATH) the retention sweep and org deletion append to. */
  erasureLedgerFile?: string;
  /** Concurrent CV extractions (each in its own worker thread); defaults to 2. */
  cvParseConcurrency?: number;
  /** issue 14 (M1): per-org parse leases in Redis (server/core/org-fairness.ts) and the page cap; without it no per-org limit. */
  cvParse?: { redis: Redis; perOrgConcurrency: number; maxPages?: number; slotRetryDelayMs?: number };
  /** issue 6: AI screening of parsed CVs (cv-screen); needs masterKey too. */
  screening?: { provider: ModelProvider; defaultModel: string; redis: Redis; concurrency?: number; breaker?: CircuitBreaker };
  /** issue 7: Vapi interviews (webhook-ingest, interview-start, interview-reconcile); needs masterKey too. */
  /** Re-dials go to interview-start; with a mailer, interview-reminder mails run too; with a breaker, every Vapi REST call goes through it. */
  /** publicUrl: managed Vapi assistants name the org's webhook endpoint as their server. */
  interviews?: { vapi: VapiApi | null; clock?: () => Date; mailer?: Mailer; vapiBreaker?: CircuitBreaker; publicUrl?: URL; /** The operator's voice-assistant model (issue 18). */ assistantModel?: { provider: string; model: string }; /** Recordings may come from loopback (dev/test: the fake Vapi); never in production. */ allowLoopbackRecordings?: boolean; recordingMaxBytes?: number };
  /** DESIGN §9: org alerts (alert-deliver) to the org's e-mail recipients and signed webhook; needs masterKey too. */
  /** outbound: the guard for the org-set webhook URL (issue 14 M3); allowLoopback only from OUTBOUND_ALLOW_LOOPBACK, resolver for tests. */
  alerts?: { mailer: Mailer; nodeEnv: NodeEnv; publicUrl?: URL; outbound?: { allowLoopback: boolean; resolver?: Resolver } };
  /** DESIGN §8: the daily bias monitor (bias-monitor; needs masterKey); raises bias_breach alerts through redis-backed alert service. Default 04:23 UTC. */
  biasMonitor?: { redis: Redis; pattern?: string };
  /** DESIGN §9: the hourly stale-backup check (backup-monitor; needs masterKey for the alert service); off unless expected. */
  backupMonitor?: { redis: Redis; expected: boolean; maxAgeMs: number; pattern?: string; clock?: () => Date };
  /** issue 20: outbound event webhooks (event-hook-deliver; needs masterKey). redis backs the alert raised on auto-disable; outbound as for alerts; scheduleMs/sweepEveryMs for tests. */
  eventHooks?: { redis: Redis; outbound?: { allowLoopback: boolean; resolver?: Resolver }; scheduleMs?: readonly number[]; sweepEveryMs?: number; clock?: () => Date; nodeEnv?: NodeEnv };
  /** issue 18: deleting interview calls at Vapi (vapi-delete, runs with interviews); with redis, failures past alertAfterAttempts raise vapi_deletion alerts. */
  vapiDeletion?: { redis?: Redis; backoffMs?: number; attempts?: number; alertAfterAttempts?: number; sweepEveryMs?: number };
  /** Issue 18 item 6: the daily privacy-request deadline check (privacy-deadlines; needs masterKey for the alert service). Default 07:05 UTC. */
  privacyDeadlines?: { redis: Redis; pattern?: string; clock?: () => Date };
  /** issue 23: the trust page's checks (trust-checks; needs masterKey for the alert service); everyMs for tests. */
  trustChecks?: { redis: Redis; config: Config; everyMs?: number; clock?: () => Date };
  /** Issue 19: re-offer accepted work without a live job (cv-parse, cv-screen, alert-deliver) and re-apply job schedules every everyMs (RECONCILE_EVERY_SECONDS, RECONCILE_GRACE_SECONDS). */
  reconcile?: { everyMs: number; graceSeconds: number };
}
