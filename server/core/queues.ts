// The queue contract shared by the app (producers) and the worker (consumers): names,
// payload schemas and default job options; job names, job-id rules and per-queue options
// are in queue-jobs.ts. Payloads carry ids only, never PII.
import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import { Type, type Static, type TSchema } from 'typebox';

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

const Id = Type.String();
const NoPayload = Type.Object({}, { additionalProperties: false });

/**
 * Each queue's payload schema: the one place a payload shape is declared (JobPayloads is
 * derived from it). Jobs named 'sweep' on webhook-ingest, interview-start, vapi-delete and
 * event-hook-deliver carry SweepPayload instead (queue-jobs.ts, scheduleSweep).
 */
export const PAYLOAD_SCHEMAS = {
  /** Without orgId: the periodic checkpoint over every org. */
  'audit-checkpoint': Type.Object({ orgId: Type.Optional(Id) }),
  'cv-parse': Type.Object({ orgId: Id, documentId: Id }),
  'cv-screen': Type.Object({ orgId: Id, applicationId: Id }),
  'webhook-ingest': Type.Object({ orgId: Id, messageId: Id }),
  'interview-start': Type.Object({ orgId: Id, interviewId: Id }),
  /** One interview to reconcile with Vapi (job 'reconcile') or one live call to end (job 'hang-up'). */
  'interview-reconcile': Type.Object({ orgId: Id, interviewId: Id }),
  'interview-score': Type.Object({ orgId: Id, interviewId: Id }),
  /** A reminder mail before a booked interview; `version` is the schedule it belongs to (stale after a reschedule). */
  'interview-reminder': Type.Object({ orgId: Id, interviewId: Id, kind: Type.Union([Type.Literal('24h'), Type.Literal('1h')]), version: Type.Integer() }),
  /** Without orgId: the daily sweep over every org. */
  'retention-sweep': Type.Object({ orgId: Type.Optional(Id) }),
  /** One org alert to send to the org's alert channel (e-mail and/or webhook). */
  'alert-deliver': Type.Object({ orgId: Id, alertId: Id }),
  /** The hourly stale-backup check over every org (no payload). */
  'backup-monitor': NoPayload,
  /** Without orgId: the daily bias check over every org (DESIGN §8). */
  'bias-monitor': Type.Object({ orgId: Type.Optional(Id) }),
  /** One attempt of an outbound event webhook delivery. */
  'event-hook-deliver': Type.Object({ orgId: Id, deliveryId: Id, attempt: Type.Integer({ minimum: 1 }) }),
  /** Deletes one call at Vapi until a GET confirms it is gone. */
  'vapi-delete': Type.Object({ orgId: Id, callId: Id }),
  /** Fetches an ended call's recording into the box (with consent), then queues the Vapi deletion. */
  'recording-fetch': Type.Object({ orgId: Id, interviewId: Id }),
  /** The daily privacy-request deadline check over every org (no payload; issue 18 item 6). */
  'privacy-deadlines': NoPayload,
  /** Runs the trust page's checks that are due (no payload; issue 23). */
  'trust-checks': NoPayload,
} satisfies Record<QueueName, TSchema>;

export type JobPayloads = { [N in QueueName]: Static<(typeof PAYLOAD_SCHEMAS)[N]> };
/** The payload of a queue's repeatable 'sweep' job: it carries no ids, the sweep reads Postgres. */
export type SweepPayload = Static<typeof NoPayload>;

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

/**
 * One producer queue per name for a process (the app's platform and the worker's), opened on
 * first use; `onOpen` registers its close with the process's shutdown.
 */
export function createQueueCache(connection: ConnectionOptions, redisPrefix: string, onOpen: (queue: { close(): Promise<void> }) => void): <N extends QueueName>(name: N) => TypedQueue<N> {
  const queues = new Map<QueueName, { close(): Promise<void> }>();
  return <N extends QueueName>(name: N): TypedQueue<N> => {
    // Keyed by name: the queue stored under `name` was created by createQueue(name) as TypedQueue<N>.
    const found = queues.get(name) as TypedQueue<N> | undefined;
    if (found) return found;
    const opened = createQueue(name, connection, redisPrefix);
    queues.set(name, opened);
    onOpen(opened);
    return opened;
  };
}
