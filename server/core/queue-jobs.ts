// The producer half of the queue contract: every kind of queue job the app or the worker
// adds is declared here once, with its BullMQ job name, its deterministic queue job id
// rule and its options (attempts, backoff). enqueue/enqueueBulk are the one typed producer;
// modules adapt them to their service ports. The ids are byte-identical to the ones the
// modules used to build themselves: a repeat add under the same id is a no-op, and the
// reconciler re-offers lost work under the producer's id, so both must agree.
import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { QUEUES, type JobPayloads, type QueueName, type SweepPayload, type TypedQueue } from './queues.js';

/** One kind of queue job: its queue, job name, id rule (payload plus an optional key the payload does not carry) and options. */
export interface QueueJobKind<N extends QueueName, K = undefined> {
  queue: N;
  name: string;
  queueJobId(payload: JobPayloads[N], key: K): string;
  options?: Omit<JobsOptions, 'jobId'>;
}

const kind = <N extends QueueName, K = undefined>(spec: QueueJobKind<N, K>): QueueJobKind<N, K> => spec;
/** Call ids come from Vapi: only the characters a job id may safely hold are kept. */
const safeCallId = (callId: string): string => callId.replace(/[^A-Za-z0-9-]/g, '');

// The id rules, exported under their historical names (tests look jobs up by them).
export const cvParseJobId = (documentId: string): string => `cv-parse-${documentId}`;
/** A first, automatic screening: one per application and document. */
export const cvScreenJobId = (applicationId: string, documentId: string): string => `cv-screen-${applicationId}-${documentId}`;
/** A rescreen asked for by a recruiter or a contest: one per screening generation. */
export const rescreenJobId = (applicationId: string, screeningId: string): string => `cv-rescreen-${applicationId}-${screeningId}`;
export const webhookIngestJobId = (messageId: string): string => `webhook-ingest-${messageId}`;
/** interview-start-<id>[-<key>]: no key = at once; v<n> = schedule version n; r<n> = re-dial n; due<n> = the sweep. */
export const interviewStartJobId = (interviewId: string, key = ''): string => `interview-start-${interviewId}${key ? `-${key}` : ''}`;
export const interviewReminderJobId = (interviewId: string, kind: string, version: number): string => `interview-reminder-${interviewId}-v${version}-${kind}`;
export const interviewHangUpJobId = (interviewId: string, callId: string): string => `interview-hang-up-${interviewId}-${safeCallId(callId)}`;
export const interviewScoreJobId = (interviewId: string): string => `interview-score-${interviewId}`;
/**
 * interview-reconcile-<id>-<call>-<phase>: one GET /call check per call and phase: 'due'
 * (the safety net after the longest possible call) and 'report' (just after its end-of-call
 * report). A re-dial's call gets its own.
 */
export type ReconcilePhase = 'due' | 'report';
export const interviewReconcileJobId = (interviewId: string, callId: string, phase: ReconcilePhase): string => `interview-reconcile-${interviewId}-${safeCallId(callId)}-${phase}`;
export const alertDeliverJobId = (alertId: string): string => `alert-deliver-${alertId}`;
export const eventHookJobId = (deliveryId: string, attempt: number): string => `event-hook-${deliveryId}-${attempt}`;
/** Hashed: the call id is Vapi's and the org id should not show in Redis keys. */
export const vapiDeleteJobId = (orgId: string, callId: string): string => `vapi-delete-${createHash('sha256').update(`${orgId}/${callId}`).digest('hex').slice(0, 40)}`;
export const recordingFetchJobId = (interviewId: string): string => `recording-fetch-${interviewId}`;

/** interview-reconcile: a call not ended yet is asked again with backoff (~2 h in all). */
export const INTERVIEW_RECONCILE_OPTS = { attempts: 8, backoff: { type: 'exponential', delay: 30_000 } } as const;
/** alert-deliver retries: 10 s, 20 s, 40 s, 80 s, then the failure is recorded. */
export const ALERT_DELIVER_ATTEMPTS = 5;
/** recording-fetch: network errors and 5xx at Vapi's storage are retried with backoff this many times. */
export const RECORDING_FETCH_ATTEMPTS = 8;
/** vapi-delete: ~16 attempts, 1 min doubling: the last retry comes about 22 days after the first failure; kept longer than other jobs. */
export const VAPI_DELETE_JOB_OPTIONS: JobsOptions = {
  attempts: 16,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: { count: 5_000, age: 30 * 24 * 3600 },
  removeOnFail: { count: 5_000, age: 60 * 24 * 3600 },
};
/** The job name of a recruiter's request to end a live call, on the interview-reconcile queue. */
export const HANG_UP_JOB_NAME = 'hang-up';
/** The job name of every queue's repeatable sweep (SweepPayload). */
export const SWEEP_JOB_NAME = 'sweep';

/** Every kind of queue job a producer adds. */
export const QUEUE_JOBS = {
  cvParse: kind({ queue: QUEUES.cvParse, name: 'parse', queueJobId: (p) => cvParseJobId(p.documentId) }),
  cvScreen: kind({ queue: QUEUES.cvScreen, name: 'screen', queueJobId: (p, k: { documentId: string }) => cvScreenJobId(p.applicationId, k.documentId) }),
  cvRescreen: kind({ queue: QUEUES.cvScreen, name: 'screen', queueJobId: (p, k: { screeningId: string }) => rescreenJobId(p.applicationId, k.screeningId) }),
  webhookIngest: kind({ queue: QUEUES.webhookIngest, name: 'ingest', queueJobId: (p) => webhookIngestJobId(p.messageId) }),
  interviewStart: kind({ queue: QUEUES.interviewStart, name: 'start', queueJobId: (p, k: { key?: string }) => interviewStartJobId(p.interviewId, k.key) }),
  interviewReconcile: kind({
    queue: QUEUES.interviewReconcile,
    name: 'reconcile',
    queueJobId: (p, k: { callId: string; phase: ReconcilePhase }) => interviewReconcileJobId(p.interviewId, k.callId, k.phase),
    options: INTERVIEW_RECONCILE_OPTS,
  }),
  interviewHangUp: kind({
    queue: QUEUES.interviewReconcile,
    name: HANG_UP_JOB_NAME,
    queueJobId: (p, k: { callId: string }) => interviewHangUpJobId(p.interviewId, k.callId),
    options: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } },
  }),
  interviewScore: kind({ queue: QUEUES.interviewScore, name: 'score', queueJobId: (p) => interviewScoreJobId(p.interviewId) }),
  interviewReminder: kind({ queue: QUEUES.interviewReminder, name: 'remind', queueJobId: (p) => interviewReminderJobId(p.interviewId, p.kind, p.version) }),
  alertDeliver: kind({
    queue: QUEUES.alertDeliver,
    name: 'deliver',
    queueJobId: (p) => alertDeliverJobId(p.alertId),
    options: { attempts: ALERT_DELIVER_ATTEMPTS, backoff: { type: 'exponential', delay: 10_000 } },
  }),
  // attempts: 1: a failed attempt is recorded and scheduled by the deliverer itself.
  eventHookDeliver: kind({ queue: QUEUES.eventHookDeliver, name: 'deliver', queueJobId: (p) => eventHookJobId(p.deliveryId, p.attempt), options: { attempts: 1 } }),
  vapiDelete: kind({ queue: QUEUES.vapiDelete, name: 'delete', queueJobId: (p) => vapiDeleteJobId(p.orgId, p.callId), options: VAPI_DELETE_JOB_OPTIONS }),
  recordingFetch: kind({
    queue: QUEUES.recordingFetch,
    name: 'fetch',
    queueJobId: (p) => recordingFetchJobId(p.interviewId),
    options: { attempts: RECORDING_FETCH_ATTEMPTS, backoff: { type: 'exponential', delay: 30_000 } },
  }),
} as const;

/** Per-call additions: the id key when the kind needs one, and options over the kind's (delay, priority, tests' shorter backoff). */
export type EnqueueOptions<K> = { options?: Omit<JobsOptions, 'jobId'> } & (undefined extends K ? { key?: K } : { key: K });
type KeyArgs<K> = undefined extends K ? [opts?: EnqueueOptions<K>] : [opts: EnqueueOptions<K>];

/** One queue job ready for add/addBulk: name, payload and options with the deterministic id. */
export interface QueueJob<N extends QueueName> {
  name: string;
  data: JobPayloads[N];
  opts: JobsOptions & { jobId: string };
}

export function queueJob<N extends QueueName, K>(job: QueueJobKind<N, K>, data: JobPayloads[N], ...[opts]: KeyArgs<K>): QueueJob<N> {
  const jobId = job.queueJobId(data, opts?.key as K);
  return { name: job.name, data, opts: { ...job.options, ...opts?.options, jobId } };
}

/** The one typed producer: adds a job of this kind under its deterministic id (a repeat is a no-op). */
export async function enqueue<N extends QueueName, K>(queue: TypedQueue<N>, job: QueueJobKind<N, K>, data: JobPayloads[N], ...opts: KeyArgs<K>): Promise<void> {
  const j = queueJob(job, data, ...opts);
  // BullMQ's name/data types are conditional on the still-generic N here; QueueJob<N> already checked them.
  await queue.add(j.name as never, j.data as never, j.opts);
}

/** Adds many jobs (of any kinds of this queue) in one round trip. */
export async function enqueueBulk<N extends QueueName>(queue: TypedQueue<N>, jobs: readonly QueueJob<N>[]): Promise<void> {
  if (jobs.length === 0) return;
  // As in enqueue: QueueJob<N> checked the payload, BullMQ's conditional types cannot see it.
  await queue.addBulk(jobs as never);
}

/**
 * Upserts a queue's repeatable sweep (one scheduler id, so many worker processes still
 * yield one schedule). The sweep job is named 'sweep' and carries SweepPayload, not a
 * payload of the queue with empty ids; processors tell it apart by its name.
 */
export async function scheduleSweep(queue: TypedQueue<QueueName>, schedulerId: string, repeat: { every: number } | { pattern: string; tz: 'UTC' }, name = SWEEP_JOB_NAME): Promise<void> {
  const data: SweepPayload = {};
  // The queue's payload type describes its work jobs; the sweep's payload is deliberately empty.
  await queue.upsertJobScheduler(schedulerId, repeat, { name, data: data as never });
}
