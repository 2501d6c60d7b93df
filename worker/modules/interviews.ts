// Vapi interviews (issue 7): webhook messages, call starts and re-dials, reconciliation
// with Vapi, recordings and call deletions (issue 18), reminders, and transcript scoring.
// The sweeps and the reconciler re-offer work whose enqueue was lost.
import { enqueue, QUEUE_JOBS } from '../../server/core/queue-jobs.js';
import { QUEUES } from '../../server/core/queues.js';
import { createCallService } from '../../server/modules/interviews/index.js';
import { createVapiDeletionService } from '../../server/modules/interviews/index.js';
import { createRecordingService } from '../../server/modules/interviews/index.js';
import { createReminderService } from '../../server/modules/interviews/index.js';
import { createInterviewScorer } from '../../server/modules/interviews/index.js';
import { withVapiBreaker } from '../../server/modules/interviews/index.js';
import { createInterviewReconcileProcessor } from '../processors/interview-reconcile.js';
import { createInterviewReminderProcessor } from '../processors/interview-reminder.js';
import { createInterviewScoreProcessor } from '../processors/interview-score.js';
import { createInterviewStartProcessor, scheduleStartSweep, sweepOverdueStarts } from '../processors/interview-start.js';
import { createRecordingFetchProcessor } from '../processors/recording-fetch.js';
import { createVapiDeleteProcessor, scheduleVapiDeleteSweep } from '../processors/vapi-delete.js';
import { createWebhookIngestProcessor, scheduleWebhookSweep, sweepUnprocessed } from '../processors/webhook-ingest.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';
import { interviewReconcileReconciler, interviewReminderReconciler, interviewScoreReconciler, recordingFetchReconciler } from '../reconcile.js';

export async function interviewProcessors(p: WorkerPlatform): Promise<ProcessorRegistration[]> {
  const { deps } = p;
  const interviews = deps.interviews;
  if (!interviews) return [];
  const clock = interviews.clock ?? (() => new Date());
  const vapi = interviews.vapi && interviews.vapiBreaker ? withVapiBreaker(interviews.vapi, interviews.vapiBreaker) : interviews.vapi;
  const startQueue = p.queue(QUEUES.interviewStart);
  const reconcileQueue = p.queue(QUEUES.interviewReconcile);
  const recordingQueue = p.queue(QUEUES.recordingFetch);
  // Transcript scoring needs the screening's model provider; without it transcripts stay unscored.
  const scoreQueue = deps.screening ? p.queue(QUEUES.interviewScore) : null;
  const calls = createCallService({
    db: p.db,
    audit: p.audit,
    keyring: p.keyring,
    vapi,
    clock,
    ...(interviews.publicUrl ? { publicUrl: interviews.publicUrl } : {}),
    ...(interviews.assistantModel ? { assistantModel: interviews.assistantModel } : {}),
    retry: { enqueue: (orgId, interviewId, delayMs, key) => enqueue(startQueue, QUEUE_JOBS.interviewStart, { orgId, interviewId }, { key: { key }, options: { delay: delayMs } }) },
    log: p.logger,
    reconcile: { enqueue: (orgId, interviewId, delayMs, callId, phase) => enqueue(reconcileQueue, QUEUE_JOBS.interviewReconcile, { orgId, interviewId }, { key: { callId, phase }, options: { delay: delayMs } }) },
    recordings: { enqueue: (orgId, interviewId) => enqueue(recordingQueue, QUEUE_JOBS.recordingFetch, { orgId, interviewId }) },
    score: scoreQueue ? { enqueue: (orgId, interviewId) => enqueue(scoreQueue, QUEUE_JOBS.interviewScore, { orgId, interviewId }) } : undefined,
  });
  // The sweep re-enqueues accepted webhook messages whose (unawaited) enqueue was lost.
  const ingestQueue = p.queue(QUEUES.webhookIngest);
  await p.schedule(() => scheduleWebhookSweep(ingestQueue));
  // The start sweep re-enqueues phone interviews that are due but whose start job was lost.
  await p.schedule(() => scheduleStartSweep(startQueue));
  // The same sweeps, driven by the reconciler too: they come back with it after Redis lost their schedules.
  p.reconcile(
    { queue: QUEUES.webhookIngest, run: async (graceSeconds) => ({ added: await sweepUnprocessed({ db: p.db, queue: ingestQueue, afterSeconds: graceSeconds }), retried: 0 }) },
    { queue: QUEUES.interviewStart, run: async (graceSeconds) => ({ added: await sweepOverdueStarts({ db: p.db, queue: startQueue, graceSeconds }), retried: 0 }) },
  );
  // Score and recording jobs are enqueued after the commit that stored the transcript: re-offered from Postgres when lost.
  p.reconcile(recordingFetchReconciler(p.db, recordingQueue), interviewReconcileReconciler(p.db, reconcileQueue));
  if (scoreQueue) p.reconcile(interviewScoreReconciler(p.db, scoreQueue));
  const registrations = [
    processor(QUEUES.webhookIngest, 10, createWebhookIngestProcessor({ calls, logger: p.logger, sweep: { db: p.db, queue: ingestQueue } })),
    processor(QUEUES.interviewStart, 5, createInterviewStartProcessor({ calls, logger: p.logger, sweep: { db: p.db, queue: startQueue } })),
    processor(QUEUES.interviewReconcile, 5, createInterviewReconcileProcessor({ calls })),
    ...(await callDataProcessors(p, vapi)),
  ];
  if (interviews.mailer) {
    const reminders = createReminderService({ db: p.db, keyring: p.keyring, mailer: interviews.mailer, clock, log: p.logger });
    registrations.push(processor(QUEUES.interviewReminder, 5, createInterviewReminderProcessor({ reminders })));
    // Reminders wait in Redis for up to a day: re-added from Postgres when Redis lost them.
    p.reconcile(interviewReminderReconciler(p.db, p.queue(QUEUES.interviewReminder), interviews.clock));
  }
  if (deps.screening) {
    const scorer = createInterviewScorer({ db: p.db, audit: p.audit, keyring: p.keyring, provider: p.provider ?? deps.screening.provider, defaultModel: deps.screening.defaultModel, logger: p.logger });
    registrations.push(processor(QUEUES.interviewScore, 5, createInterviewScoreProcessor({ scorer, logger: p.logger, breaker: p.breaker })));
  }
  return registrations;
}

/** Recordings onto the box, then the calls deleted at Vapi (issue 18); the deletion sweep catches lost or failed-out jobs. */
async function callDataProcessors(p: WorkerPlatform, vapi: Parameters<typeof createVapiDeletionService>[0]['vapi']): Promise<ProcessorRegistration[]> {
  const { deps } = p;
  const alerts = deps.vapiDeletion?.redis ? p.monitorAlerts(deps.vapiDeletion.redis, () => new Date()) : undefined;
  const deletions = createVapiDeletionService({ db: p.db, audit: p.audit, vapi, alerts, clock: () => new Date(), log: p.logger, alertAfterAttempts: deps.vapiDeletion?.alertAfterAttempts });
  const vapiDeleteQueue = p.queue(QUEUES.vapiDelete);
  const sweepEveryMs = deps.vapiDeletion?.sweepEveryMs;
  await p.schedule(() => scheduleVapiDeleteSweep(vapiDeleteQueue, sweepEveryMs));
  const recordings = createRecordingService({
    db: p.db,
    audit: p.audit,
    keyring: p.keyring,
    vapi,
    deletions: p.vapiDeletions,
    log: p.logger,
    allowLoopback: deps.interviews?.allowLoopbackRecordings === true,
    maxBytes: deps.interviews?.recordingMaxBytes,
  });
  p.onClose(() => recordings.close());
  return [
    processor(QUEUES.recordingFetch, 2, createRecordingFetchProcessor({ recordings })),
    processor(QUEUES.vapiDelete, 5, createVapiDeleteProcessor({ deletions, logger: p.logger, sweep: { db: p.db, queue: vapiDeleteQueue, producer: p.vapiDeletions } })),
  ];
}
