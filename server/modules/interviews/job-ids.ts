// Deterministic BullMQ job ids of the interview queues, shared by the app (wire.ts) and the
// worker (re-dials, the start sweep): a second add under the same id is a no-op, and a job
// for an old schedule version can be removed by id when the candidate reschedules.

/** interview-start-<id>[-<key>]: no key = at once; v<n> = schedule version n; r<n> = re-dial n; due<n> = the sweep. */
export const interviewStartJobId = (interviewId: string, key = ''): string => `interview-start-${interviewId}${key ? `-${key}` : ''}`;

export const interviewReminderJobId = (interviewId: string, kind: string, version: number): string => `interview-reminder-${interviewId}-v${version}-${kind}`;

/** A recruiter's request to end a live call: a job named 'hang-up' on the interview-reconcile queue, one per call. */
export const HANG_UP_JOB_NAME = 'hang-up';
export const interviewHangUpJobId = (interviewId: string, callId: string): string => `interview-hang-up-${interviewId}-${callId.replace(/[^A-Za-z0-9-]/g, '')}`;
/** One score job per interview (the producer and the reconciler use the same id). */
export const interviewScoreJobId = (interviewId: string): string => `interview-score-${interviewId}`;

/**
 * interview-reconcile-<id>-<call>-<phase>: one GET /call check per call and phase: 'due'
 * (the safety net after the longest possible call) and 'report' (just after its end-of-call
 * report). The producer (calls.ts, via the worker) and the reconciler use the same id, so a
 * lost job is re-offered once and a live one is never doubled; a re-dial's call gets its own.
 */
export type ReconcilePhase = 'due' | 'report';
export const interviewReconcileJobId = (interviewId: string, callId: string, phase: ReconcilePhase): string =>
  `interview-reconcile-${interviewId}-${callId.replace(/[^A-Za-z0-9-]/g, '')}-${phase}`;
