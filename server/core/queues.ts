// The queue contract shared by the app (producers) and the worker (consumers): names,
// payload types and default job options. Payloads carry ids only, never PII.
import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';

export const QUEUES = {
  auditCheckpoint: 'audit-checkpoint',
  cvParse: 'cv-parse',
  cvScreen: 'cv-screen',
  webhookIngest: 'webhook-ingest',
  interviewStart: 'interview-start',
  interviewReconcile: 'interview-reconcile',
  interviewScore: 'interview-score',
  interviewReminder: 'interview-reminder',
  retentionSweep: 'retention-sweep',
  alertDeliver: 'alert-deliver',
  backupMonitor: 'backup-monitor',
  biasMonitor: 'bias-monitor',
  eventHookDeliver: 'event-hook-deliver',
  vapiDelete: 'vapi-delete',
  recordingFetch: 'recording-fetch',
  privacyDeadlines: 'privacy-deadlines',
  trustChecks: 'trust-checks',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  'audit-checkpoint': { orgId?: string };
  'cv-parse': { orgId: string; documentId: string };
  'cv-screen': { orgId: string; applicationId: string };
  'webhook-ingest': { orgId: string; messageId: string };
  'interview-start': { orgId: string; interviewId: string };
  /** Without orgId: the periodic sweep over every org's stuck calls and messages. */
  'interview-reconcile': { orgId?: string; interviewId?: string };
  'interview-score': { orgId: string; interviewId: string };
  /** A reminder mail before a booked interview; `version` is the schedule it belongs to (stale after a reschedule). */
  'interview-reminder': { orgId: string; interviewId: string; kind: '24h' | '1h'; version: number };
  /** Without orgId: the daily sweep over every org. */
  'retention-sweep': { orgId?: string };
  /** One org alert to send to the org's alert channel (e-mail and/or webhook). */
  'alert-deliver': { orgId: string; alertId: string };
  /** The hourly stale-backup check over every org (no payload). */
  'backup-monitor': Record<string, never>;
  /** Without orgId: the daily bias check over every org (DESIGN §8). */
  'bias-monitor': { orgId?: string };
  /** One attempt of an outbound event webhook delivery; the repeatable 'sweep' job (no ids) re-offers due deliveries. */
  'event-hook-deliver': { orgId?: string; deliveryId?: string; attempt?: number };
  /** Deletes one call at Vapi until a GET confirms it is gone; the 'sweep' job (empty ids) re-enqueues pending ones. */
  'vapi-delete': { orgId: string; callId: string };
  /** Fetches an ended call's recording into the box (with consent), then queues the Vapi deletion. */
  'recording-fetch': { orgId: string; interviewId: string };
  /** The daily privacy-request deadline check over every org (no payload; issue 18 item 6). */
  'privacy-deadlines': Record<string, never>;
  /** Runs the trust page's checks that are due (no payload; issue 23). */
  'trust-checks': Record<string, never>;
}

export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { count: 1_000, age: 7 * 24 * 3600 },
  removeOnFail: { count: 5_000, age: 30 * 24 * 3600 },
};

/** BullMQ keys live under "<prefix>:bull" so tests and tenants of Redis never collide. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

export type TypedQueue<N extends QueueName> = Queue<JobPayloads[N], unknown, string>;

export function createQueue<N extends QueueName>(name: N, connection: ConnectionOptions, redisPrefix: string): TypedQueue<N> {
  return new Queue<JobPayloads[N], unknown, string>(name, {
    connection,
    prefix: bullPrefix(redisPrefix),
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
}
