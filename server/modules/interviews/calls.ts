// The worker's side of interviews: place the call (interview-start), apply verified Vapi
// server messages (webhook-ingest) and reconcile with GET /call/:id (interview-reconcile),
// so a lost end-of-call-report never loses an interview. Every step re-reads state and
// does nothing if its work is already done.
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { type Keyring } from '../../core/crypto.js';
import { isUuid, type Queryable, type TenantDb } from '../../core/db.js';
import { insertEvent } from '../applications/index.js';
import type { Vapi } from '@vapi-ai/server-sdk';
import { CircuitOpenError } from '../../core/circuit-breaker.js';
import { AI_DISCLOSURES, AssistantSyncBusyError, effectiveAssistantModel, ensureJobAssistant, firstMessageFor, type AssistantModel } from './assistant.js';
import { DEFAULT_SETTINGS, endCall, findCall, findInterview, findInterviewByCall, findPlan, findSettings, insertCall, updateInterview, type InterviewRow } from './repo.js';
import type { ReconcilePhase } from '../../core/queue-jobs.js';
import { type Db } from '../../core/db.js';
import { claimMessage, markMessageProcessed } from '../webhooks/index.js';
import { overdueStartsAllOrgs } from './repo.js';
import { isRetryableEndedReason, retryDelayMs } from './schedule.js';
import { isPermanentVapiError, recordingRefOf, vapiStatusOf, type VapiApi } from './vapi.js';

export class RetryLaterError extends Error {}
export class PermanentFailure extends Error {}

export interface ScoreProducer {
  /** Queues the transcript's scoring (deterministic job id: once per interview). */
  enqueue(orgId: string, interviewId: string): Promise<void>;
}

/** Re-dials after a no-answer/busy/failed call (delayed interview-start job, key r<attempt>). */
export interface RetryProducer {
  enqueue(orgId: string, interviewId: string, delayMs: number, key: string): Promise<void>;
}

export interface ReconcileProducer {
  /**
   * Schedules a GET /call/:id check of call callId after delayMs: 'due' after the longest
   * possible call (the safety net), 'report' after its end-of-call report. The pair names
   * the job (interviewReconcileJobId), so the worker's reconciler re-offers a lost one.
   */
  enqueue(orgId: string, interviewId: string, delayMs: number, callId: string, phase: ReconcilePhase): Promise<void>;
}

const STATUS_RANK: Record<string, number> = { queued: 1, ringing: 2, 'in-progress': 3, forwarding: 4, ended: 5 };
/** How long after a message arrives we keep waiting for its interview to know the call id. */
const ORPHAN_GRACE_MS = 10 * 60 * 1000;
/** After a report, check once more with Vapi; without one, check after the max duration plus this. */
export const RECONCILE_AFTER_REPORT_MS = 5_000;
export const RECONCILE_SLACK_MS = 5 * 60 * 1000;

export const AI_DISCLOSURE_FIRST_MESSAGE = AI_DISCLOSURES.en as string;

/**
 * The per-call overrides of the assistant: AI disclosure first (in the interview's
 * language), recording only with consent, the questions as variables and ids (never PII)
 * as metadata so every server message can be tied back to the interview. `attempt` is the
 * call's attempt (the row's count unless the caller claims a new one).
 */
export function callOverrides(orgId: string, row: InterviewRow, attempt = row.attempts): Vapi.AssistantOverrides {
  return {
    firstMessage: firstMessageFor(row.language),
    maxDurationSeconds: row.max_duration_seconds,
    artifactPlan: { recordingEnabled: row.recording_consent === true },
    variableValues: { questions: row.questions.map((q, i) => `${i + 1}. ${q}`).join('\n'), questionCount: row.questions.length, language: row.language },
    // attempt: a worker that died before storing the call id finds this very call again (GET /call) instead of dialling twice.
    metadata: { orgId, applicationId: row.application_id, interviewId: row.id, attempt },
  };
}

/**
 * When a job refused by Vapi's open breaker runs again: the end of the cool-down (at
 * least 2 s ahead, for a half-open probe to answer), plus up to 3 s of jitter so the
 * waiting interviews do not come back as one burst.
 */
export function breakerWaitUntil(err: CircuitOpenError, now: number, random: () => number = Math.random): number {
  return Math.max(err.retryAt, now + 2_000) + Math.floor(random() * 3_000);
}

/**
 * How long a claimed call ('creating', no id) may still be on its way to Vapi: the REST
 * timeout (15 s) over the SDK's 3 tries, with slack. Older than this and absent from GET
 * /call, it was never placed (the worker died before POST /call reached Vapi).
 */
export const CREATE_WINDOW_MS = 2 * 60 * 1000;
/** Vapi's clock and ours may differ: the listing starts this much before our claim. */
const LIST_SKEW_MS = 60 * 1000;

/** A call is due when it has no due time or the due time has come (1 s of clock skew allowed). */
export function isDue(row: Pick<InterviewRow, 'next_attempt_at'>, now: Date): boolean {
  return !row.next_attempt_at || row.next_attempt_at.getTime() <= now.getTime() + 1000;
}

function transcriptFromArtifact(artifact: { transcript?: unknown; messages?: unknown } | undefined, legacy?: unknown): string | null {
  if (artifact && typeof artifact.transcript === 'string' && artifact.transcript.trim()) return artifact.transcript;
  if (typeof legacy === 'string' && legacy.trim()) return legacy;
  if (artifact && Array.isArray(artifact.messages)) {
    const lines = (artifact.messages as { role?: unknown; message?: unknown }[])
      .filter((m) => (m.role === 'user' || m.role === 'bot' || m.role === 'assistant') && typeof m.message === 'string')
      .map((m) => `${m.role === 'user' ? 'User' : 'AI'}: ${String(m.message)}`);
    return lines.length > 0 ? lines.join('\n') : null;
  }
  return null;
}

function interviewStatusFor(callStatus: string): InterviewRow['status'] | null {
  if (callStatus === 'in-progress' || callStatus === 'forwarding') return 'in_progress';
  if (callStatus === 'ended') return 'ended';
  if (callStatus === 'queued' || callStatus === 'ringing') return 'calling';
  return null;
}

export function createCallService(deps: {
  db: TenantDb;
  audit: AuditLog;
  keyring: Keyring;
  vapi: VapiApi | null;
  reconcile: ReconcileProducer;
  score?: ScoreProducer;
  retry?: RetryProducer;
  clock: () => Date;
  log: Logger;
  /** How long a start waits for another worker's sync of the same job's assistant before retrying later. */
  assistantWaitMs?: number;
  /** hirebox's public URL: managed assistants then send their server messages to the org's webhook endpoint. */
  publicUrl?: URL;
  /** The operator's voice-assistant model (VAPI_ASSISTANT_MODEL_PROVIDER / VAPI_ASSISTANT_MODEL); an org setting overrides it. */
  assistantModel?: AssistantModel;
  /** Queues recording-fetch once an ended call is reconciled (recording kept on the box, Vapi's copy deleted). */
  recordings?: { enqueue(orgId: string, interviewId: string): Promise<void> };
  /** CREATE_WINDOW_MS unless a test shortens it. */
  createWindowMs?: number;
}) {
  const { db, keyring } = deps;

  /**
   * A call ended with a retryable reason (no answer, busy, voicemail, failed to connect):
   * schedule the next attempt within the org's limit, else mark the interview unreachable.
   * Only the interview's current call counts; returns the retry to enqueue after commit.
   */
  async function endedUnanswered(tx: Queryable, orgId: string, row: InterviewRow, callId: string, reason: string, source: string): Promise<{ delayMs: number; attempt: number } | null> {
    const now = deps.clock();
    await endCall(tx, callId, reason, now);
    if (row.vapi_call_id !== callId || !['calling', 'in_progress', 'scheduled'].includes(row.status)) return null;
    if (row.mode === 'browser') {
      // Nobody dials a browser call: it waits for the candidate to start it again from the page.
      await updateInterview(tx, row.id, { status: 'scheduled', vapi_call_id: null, call_status: 'ended', ended_reason: reason.slice(0, 200) });
      return null;
    }
    const settings = (await findSettings(tx)) ?? DEFAULT_SETTINGS;
    const retriesUsed = Math.max(0, row.attempts - 1);
    if (retriesUsed < settings.max_call_retries) {
      const delayMs = retryDelayMs(settings.retry_delays_seconds, retriesUsed + 1);
      const next = new Date(now.getTime() + delayMs);
      // The call id is cleared so a late message of this call is recognised as an earlier attempt.
      await updateInterview(tx, row.id, { status: 'scheduled', vapi_call_id: null, call_status: 'retry-scheduled', ended_reason: reason.slice(0, 200), next_attempt_at: next, call_error: null });
      await insertEvent(tx, {
        orgId,
        applicationId: row.application_id,
        type: 'interview.retry_scheduled',
        actor: { type: 'system' },
        data: { interviewId: row.id, attempt: row.attempts, endedReason: reason.slice(0, 200), nextAttemptAt: next.toISOString(), source },
      });
      return { delayMs, attempt: row.attempts + 1 };
    }
    await updateInterview(tx, row.id, { status: 'unreachable', call_status: 'ended', ended_reason: reason.slice(0, 200), next_attempt_at: null });
    await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.unreachable', actor: { type: 'system' }, data: { interviewId: row.id, attempts: row.attempts, endedReason: reason.slice(0, 200) } });
    await deps.audit.recordIn(tx, orgId, { action: 'interview.unreachable', actor: { type: 'system' }, target: { type: 'interview', id: row.id }, metadata: { attempts: row.attempts, endedReason: reason.slice(0, 200) } });
    return null;
  }

  async function enqueueRetry(orgId: string, interviewId: string, retry: { delayMs: number; attempt: number } | null): Promise<void> {
    if (!retry) return;
    if (!deps.retry) {
      deps.log.warn({ interviewId }, 'no retry producer wired; the re-dial was not queued');
      return;
    }
    await deps.retry.enqueue(orgId, interviewId, retry.delayMs, `r${retry.attempt}`);
  }

  /** Stores what is new; true when the interview has a transcript afterwards. */
  async function storeArtifacts(tx: Queryable, orgId: string, row: InterviewRow, transcript: string | null, recordingRef: string | null, set: Parameters<typeof updateInterview>[2]): Promise<boolean> {
    const cipher = await keyring.candidateCipher(tx, orgId, row.candidate_id);
    await updateInterview(tx, row.id, {
      ...set,
      ...(transcript && !row.transcript_enc ? { transcript_enc: cipher.seal('interviews', 'transcript_enc', row.id, transcript) } : {}),
      // Recording only with consent: a reference for a call the candidate did not agree to record is not kept.
      ...(recordingRef && !row.recording_ref_enc && row.recording_consent ? { recording_ref_enc: cipher.seal('interviews', 'recording_ref_enc', row.id, recordingRef) } : {}),
    });
    return Boolean(row.transcript_enc || transcript);
  }

  /**
   * A start found its interview claimed ('calling'/'creating') with no call id: a worker
   * died between claiming and storing what POST /call answered. Vapi is asked which calls
   * it placed for the org's number since the claim; the one carrying this interview and
   * attempt in its metadata is adopted. Without one, the claim is released once no POST
   * can still be in flight, and the call is placed by the caller.
   */
  async function recoverCreating(orgId: string, row: InterviewRow, phoneNumberId: string | null): Promise<'adopted' | 'released'> {
    const vapi = deps.vapi;
    if (!vapi || !phoneNumberId) throw new PermanentFailure('Vapi is not configured for this org (API key and phone number)');
    const listed = await vapi.listCalls({ phoneNumberId, createdAtGt: new Date(row.updated_at.getTime() - LIST_SKEW_MS), limit: 100 });
    const ours = listed.filter((c) => c.metadata.interviewId === row.id && c.metadata.orgId === orgId && (c.metadata.attempt === undefined || c.metadata.attempt === row.attempts));
    const known = await db.withTenant(orgId, async (q) => Promise.all(ours.map(async (c) => ((await findCall(q, c.id)) ? null : c))));
    const call = known.find((c) => c !== null);
    if (call) {
      const adopted = await db.withTenantTx(orgId, async (tx) => {
        const fresh = await findInterview(tx, row.id, true);
        if (!fresh || fresh.vapi_call_id || fresh.status !== 'calling' || fresh.call_status !== 'creating') return false;
        await updateInterview(tx, fresh.id, { vapi_call_id: call.id, call_status: call.status ?? 'queued', call_error: null, next_attempt_at: null });
        await insertCall(tx, { orgId, callId: call.id, interviewId: fresh.id, attempt: fresh.attempts, mode: 'phone' });
        await insertEvent(tx, { orgId, applicationId: fresh.application_id, type: 'interview.call_started', actor: { type: 'system' }, data: { interviewId: fresh.id, attempt: fresh.attempts, adopted: true } });
        await deps.audit.recordIn(tx, orgId, { action: 'interview.call_started', actor: { type: 'system' }, target: { type: 'interview', id: fresh.id }, metadata: { callId: call.id, attempt: fresh.attempts, adopted: true } });
        return true;
      });
      if (adopted) {
        deps.log.warn({ interviewId: row.id, attempt: row.attempts }, 'adopted a call Vapi placed before the worker stored its id');
        await (call.status === 'ended'
          ? deps.reconcile.enqueue(orgId, row.id, RECONCILE_AFTER_REPORT_MS, call.id, 'report')
          : deps.reconcile.enqueue(orgId, row.id, row.max_duration_seconds * 1000 + RECONCILE_SLACK_MS, call.id, 'due'));
      }
      return 'adopted';
    }
    if (deps.clock().getTime() - row.updated_at.getTime() < (deps.createWindowMs ?? CREATE_WINDOW_MS)) throw new RetryLaterError('a claimed call may still be on its way to Vapi');
    const released = await db.withTenantTx(orgId, async (tx) => {
      const fresh = await findInterview(tx, row.id, true);
      if (!fresh || fresh.vapi_call_id || fresh.status !== 'calling' || fresh.call_status !== 'creating' || fresh.updated_at.getTime() !== row.updated_at.getTime()) return false;
      await updateInterview(tx, fresh.id, { status: 'scheduled', call_status: 'retrying', call_error: 'call_not_created', attempts: Math.max(0, fresh.attempts - 1) });
      return true;
    });
    if (!released) throw new RetryLaterError('the claimed interview changed meanwhile');
    deps.log.warn({ interviewId: row.id }, 'released a claimed call that never reached Vapi');
    return 'released';
  }

  return {
    /**
     * interview-start: places the outbound call once, when it is due. A job that fires
     * before the interview's due time (a stale job after a reschedule) does nothing; the
     * job for the current time places the call.
     */
    async startCall(orgId: string, interviewId: string): Promise<'placed' | 'adopted' | 'skipped' | 'not_due'> {
      let pre = await db.withTenant(orgId, async (q) => ({ row: await findInterview(q, interviewId), settings: await findSettings(q) }));
      if (pre.row?.status === 'calling' && pre.row.call_status === 'creating' && !pre.row.vapi_call_id && pre.row.mode === 'phone') {
        if ((await recoverCreating(orgId, pre.row, pre.settings?.vapi_phone_number_id ?? null)) === 'adopted') return 'adopted';
        pre = await db.withTenant(orgId, async (q) => ({ row: await findInterview(q, interviewId), settings: await findSettings(q) }));
      }
      if (!pre.row || pre.row.status !== 'scheduled' || pre.row.vapi_call_id || pre.row.mode !== 'phone') return 'skipped';
      if (!isDue(pre.row, deps.clock())) return 'not_due';
      if (!deps.vapi || !pre.settings?.vapi_phone_number_id) {
        await db.withTenantTx(orgId, async (tx) => {
          const row = await findInterview(tx, interviewId, true);
          if (row?.status === 'scheduled') await updateInterview(tx, row.id, { status: 'failed', call_error: 'vapi_not_configured' });
        });
        throw new PermanentFailure('Vapi is not configured for this org (API key and phone number)');
      }
      const vapi = deps.vapi;
      let assistantId = pre.settings.vapi_assistant_id;
      // The model is hirebox's choice only for the assistant it manages; an org's own assistant keeps whatever it was given in Vapi.
      const llm = assistantId ? null : effectiveAssistantModel(pre.settings, deps.assistantModel);
      if (!assistantId) {
        // No configured assistant: hirebox manages one per job (created or PATCHed here, before any call exists).
        try {
          assistantId = (
            await ensureJobAssistant(
              {
                db,
                vapi,
                clock: deps.clock,
                ...(deps.assistantWaitMs === undefined ? {} : { maxWaitMs: deps.assistantWaitMs }),
                ...(deps.publicUrl ? { server: { keyring, publicUrl: deps.publicUrl } } : {}),
                ...(llm ? { model: llm } : {}),
              },
              orgId,
              pre.row,
            )
          ).assistantId;
        } catch (err) {
          if (err instanceof CircuitOpenError) {
            // Vapi is failing for everyone: the job waits for the breaker; the recruiter sees why.
            await db.withTenantTx(orgId, (tx) => updateInterview(tx, interviewId, { call_status: 'waiting-provider', call_error: 'vapi_circuit_open' }));
            throw err;
          }
          // Another worker is still creating this job's assistant: try again shortly.
          if (err instanceof AssistantSyncBusyError) throw new RetryLaterError(err.message);
          const status = vapiStatusOf(err);
          if (status !== undefined && isPermanentVapiError(err)) {
            await db.withTenantTx(orgId, (tx) => updateInterview(tx, interviewId, { status: 'failed', call_error: `assistant_rejected_${status}` }));
            throw new PermanentFailure(`POST/PATCH /assistant failed: ${status}`);
          }
          // 429/5xx/network: no call was placed, so retrying is safe.
          await db.withTenantTx(orgId, (tx) => updateInterview(tx, interviewId, { call_status: 'retrying', call_error: status ? `vapi_${status}` : 'vapi_unreachable' }));
          throw new RetryLaterError(`assistant sync failed: ${status ?? 'network'}`);
        }
      }
      const claim = await db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, interviewId, true);
        if (!row || row.status !== 'scheduled' || row.vapi_call_id || row.mode !== 'phone' || !isDue(row, deps.clock())) return null;
        if (!row.phone_enc) throw new PermanentFailure('no confirmed phone number');
        const phone = (await keyring.candidateCipher(tx, orgId, row.candidate_id)).openText('interviews', 'phone_enc', row.id, row.phone_enc);
        // Claim before calling out: a crash after Vapi accepted must not place a second call.
        await updateInterview(tx, row.id, { status: 'calling', call_status: 'creating', attempts: row.attempts + 1, assistant_model_provider: llm?.provider ?? null, assistant_model: llm?.model ?? null });
        return { row, phone, phoneNumberId: pre.settings?.vapi_phone_number_id as string };
      });
      if (!claim) return 'skipped';
      const { row } = claim;
      const attempt = row.attempts + 1;
      let call: { id: string; status: string | null };
      try {
        call = await vapi.createCall({ phoneNumberId: claim.phoneNumberId, customer: { number: claim.phone }, assistantId, assistantOverrides: callOverrides(orgId, row, attempt) });
      } catch (err) {
        if (err instanceof CircuitOpenError) {
          // Refused before any request went out: no call exists, release the claim and wait for the breaker.
          await db.withTenantTx(orgId, (tx) => updateInterview(tx, row.id, { status: 'scheduled', call_status: 'waiting-provider', call_error: 'vapi_circuit_open', attempts: row.attempts }));
          throw err;
        }
        const status = vapiStatusOf(err);
        if (status === 429 || (status !== undefined && status >= 500)) {
          // Vapi answered and refused: no call exists, so release the claim and let BullMQ retry.
          await db.withTenantTx(orgId, (tx) => updateInterview(tx, row.id, { status: 'scheduled', call_status: 'retrying', call_error: `vapi_${status}`, attempts: row.attempts }));
          throw new RetryLaterError(`POST /call answered ${status}`);
        }
        // A 4xx will not improve; a timeout or network error leaves it unknown whether Vapi
        // placed the call, so a person decides rather than risking a second call.
        const reason = isPermanentVapiError(err) ? `call_rejected_${String(status)}` : 'call_state_unknown';
        await db.withTenantTx(orgId, (tx) => updateInterview(tx, row.id, { status: 'failed', call_status: 'create-failed', call_error: reason }));
        throw new PermanentFailure(`POST /call failed: ${reason}`);
      }
      const stored = await db.withTenantTx(orgId, async (tx) => {
        // A slow answer may find the call already adopted by a recovering start (recoverCreating).
        const fresh = await findInterview(tx, row.id, true);
        if (fresh?.vapi_call_id === call.id) return false;
        await updateInterview(tx, row.id, { vapi_call_id: call.id, call_status: call.status ?? 'queued', call_error: null, next_attempt_at: null });
        await insertCall(tx, { orgId, callId: call.id, interviewId: row.id, attempt, mode: 'phone' });
        await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.call_started', actor: { type: 'system' }, data: { interviewId: row.id, attempt } });
        await deps.audit.recordIn(tx, orgId, { action: 'interview.call_started', actor: { type: 'system' }, target: { type: 'interview', id: row.id }, metadata: { callId: call.id, attempt } });
        return true;
      });
      if (!stored) return 'adopted';
      // A safety net: if no report ever comes, ask Vapi after the longest possible call.
      await deps.reconcile.enqueue(orgId, row.id, row.max_duration_seconds * 1000 + RECONCILE_SLACK_MS, call.id, 'due');
      return 'placed';
    },

    /** webhook-ingest: applies one stored message exactly once. */
    async applyMessage(orgId: string, messageId: string): Promise<string> {
      const result = await db.withTenantTx(orgId, async (tx) => {
        const claimed = await claimMessage(tx, keyring, orgId, messageId);
        if (!claimed) return { outcome: 'already_processed', reconcile: null, score: false, retry: null, adopted: null };
        const { row: msg, envelope: { message } } = claimed;
        const endedReason = typeof message.endedReason === 'string' ? message.endedReason.slice(0, 200) : null;
        /** A browser call just tied to its interview: it gets the same safety-net reconcile as a placed phone call. */
        let adopted: { interviewId: string; delayMs: number; callId: string } | null = null;
        let row = await findInterviewByCall(tx, msg.call_id, true);
        if (!row) {
          const earlier = await findCall(tx, msg.call_id);
          if (earlier) {
            // A call of an earlier attempt (replaced by a retry): note how it ended, change nothing else.
            if (endedReason) await endCall(tx, msg.call_id, endedReason, deps.clock());
            await markMessageProcessed(tx, msg.id, 'earlier_attempt');
            return { outcome: 'earlier_attempt', reconcile: null, score: false, retry: null, adopted };
          }
          // The webhook may beat our own write of the call id: fall back to the metadata we
          // sent, but only while a call is being created (not while a retry waits).
          const meta = (message.call as { assistantOverrides?: { metadata?: { interviewId?: unknown } } } | undefined)?.assistantOverrides?.metadata;
          const candidateId = meta?.interviewId;
          const byMeta = isUuid(candidateId) ? await findInterview(tx, candidateId, true) : null;
          if (byMeta && byMeta.vapi_call_id === null && byMeta.call_status === 'creating') {
            if (byMeta.mode !== 'browser') throw new RetryLaterError('the call id is not stored yet');
            // A browser call is created by the candidate's browser: its first message tells us the call id.
            await updateInterview(tx, byMeta.id, { vapi_call_id: msg.call_id, status: 'calling', call_error: null });
            await insertCall(tx, { orgId, callId: msg.call_id, interviewId: byMeta.id, attempt: byMeta.attempts, mode: 'browser' });
            await insertEvent(tx, { orgId, applicationId: byMeta.application_id, type: 'interview.call_started', actor: { type: 'system' }, data: { interviewId: byMeta.id, attempt: byMeta.attempts, mode: 'browser' } });
            row = { ...byMeta, vapi_call_id: msg.call_id, status: 'calling' };
            adopted = { interviewId: byMeta.id, delayMs: byMeta.max_duration_seconds * 1000 + RECONCILE_SLACK_MS, callId: msg.call_id };
          }
        }
        if (!row) {
          if (deps.clock().getTime() - Number(msg.message_ts > 0 ? msg.message_ts : 0) < ORPHAN_GRACE_MS && msg.message_ts > 0) throw new RetryLaterError('no interview knows this call yet');
          await markMessageProcessed(tx, msg.id, 'no_interview');
          return { outcome: 'no_interview', reconcile: null, score: false, retry: null, adopted };
        }
        let outcome = 'ignored';
        let reconcile: { interviewId: string; callId: string } | null = null;
        let score = false;
        let retry: { delayMs: number; attempt: number; interviewId: string } | null = null;
        if ((msg.message_type === 'status-update' || msg.message_type === 'end-of-call-report') && (msg.message_type === 'end-of-call-report' || message.status === 'ended') && isRetryableEndedReason(endedReason)) {
          // Nobody talked: no transcript to keep; dial again later or give up.
          const live = ['calling', 'in_progress', 'scheduled'].includes(row.status);
          const next = await endedUnanswered(tx, orgId, row, msg.call_id, endedReason as string, msg.message_type);
          retry = next ? { ...next, interviewId: row.id } : null;
          outcome = retry ? 'retry_scheduled' : live ? 'unreachable' : 'unanswered_noted';
        } else if (msg.message_type === 'status-update') {
          const status = typeof message.status === 'string' ? message.status : '';
          const current = STATUS_RANK[row.call_status ?? ''] ?? 0;
          const next = STATUS_RANK[status] ?? 0;
          if (next > current) {
            const interviewStatus = interviewStatusFor(status);
            await updateInterview(tx, row.id, {
              call_status: status,
              ...(interviewStatus && !['ended', 'failed'].includes(row.status) ? { status: interviewStatus } : {}),
              ...(typeof message.endedReason === 'string' ? { ended_reason: message.endedReason.slice(0, 200) } : {}),
            });
            outcome = 'status_applied';
          } else {
            outcome = 'status_stale';
          }
        } else if (msg.message_type === 'end-of-call-report') {
          if (endedReason) await endCall(tx, msg.call_id, endedReason, deps.clock());
          const artifact = message.artifact as { transcript?: unknown; messages?: unknown } | undefined;
          const transcript = transcriptFromArtifact(artifact, message.transcript);
          const recordingRef = recordingRefOf(artifact as Parameters<typeof recordingRefOf>[0], message.recordingUrl);
          score = await storeArtifacts(tx, orgId, row, transcript, recordingRef, {
            status: 'ended',
            call_status: 'ended',
            report_received_at: deps.clock(),
            ...(typeof message.endedReason === 'string' ? { ended_reason: message.endedReason.slice(0, 200) } : {}),
          });
          await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.ended', actor: { type: 'system' }, data: { interviewId: row.id, source: 'report' } });
          outcome = 'report_applied';
          reconcile = { interviewId: row.id, callId: msg.call_id };
        } else if (msg.message_type === 'transcript' || msg.message_type === 'conversation-update') {
          // Live partials: the end-of-call report (or GET /call) carries the authoritative transcript.
          outcome = 'live_update';
        } else if (msg.message_type === 'hang') {
          outcome = 'hang_noted';
        } else {
          deps.log.info({ messageId: msg.id, type: msg.message_type }, 'vapi message type not handled; ignored');
        }
        await markMessageProcessed(tx, msg.id, outcome);
        return { outcome, reconcile, score, retry, adopted };
      });
      if (result.retry) await enqueueRetry(orgId, result.retry.interviewId, result.retry);
      if (result.adopted) await deps.reconcile.enqueue(orgId, result.adopted.interviewId, result.adopted.delayMs, result.adopted.callId, 'due');
      if (result.reconcile) await deps.reconcile.enqueue(orgId, result.reconcile.interviewId, RECONCILE_AFTER_REPORT_MS, result.reconcile.callId, 'report');
      if (result.score && result.reconcile && deps.score) await deps.score.enqueue(orgId, result.reconcile.interviewId);
      return result.outcome;
    },

    /** interview-reconcile: fills whatever the webhooks did not deliver from GET /call/:id. */
    async reconcile(orgId: string, interviewId: string): Promise<'reconciled' | 'not_ended' | 'skipped'> {
      const row = await db.withTenant(orgId, (q) => findInterview(q, interviewId));
      if (!row || !row.vapi_call_id || !deps.vapi) return 'skipped';
      if (row.reconciled_at && row.transcript_enc) return 'skipped';
      const call = await deps.vapi.getCall(row.vapi_call_id);
      if (call.status !== 'ended') return 'not_ended';
      if (isRetryableEndedReason(call.endedReason)) {
        // Both the status-update and the report were lost for an unanswered call: apply the retry policy here.
        const retry = await db.withTenantTx(orgId, async (tx) => {
          const fresh = await findInterview(tx, interviewId, true);
          return fresh ? endedUnanswered(tx, orgId, fresh, call.id, call.endedReason as string, 'reconciliation') : null;
        });
        await enqueueRetry(orgId, interviewId, retry);
        return 'reconciled';
      }
      const hasTranscript = await db.withTenantTx(orgId, async (tx) => {
        const fresh = await findInterview(tx, interviewId, true);
        if (!fresh || fresh.vapi_call_id !== call.id || ['unreachable', 'cancelled'].includes(fresh.status)) return false;
        await endCall(tx, call.id, call.endedReason, deps.clock());
        const recovered = !fresh.report_received_at;
        const stored = await storeArtifacts(tx, orgId, fresh, call.transcript, call.recordingRef, {
          status: fresh.status === 'failed' ? 'failed' : 'ended',
          call_status: 'ended',
          reconciled_at: deps.clock(),
          ...(call.endedReason ? { ended_reason: call.endedReason.slice(0, 200) } : {}),
        });
        if (recovered) {
          await insertEvent(tx, { orgId, applicationId: fresh.application_id, type: 'interview.ended', actor: { type: 'system' }, data: { interviewId: fresh.id, source: 'reconciliation' } });
          await deps.audit.recordIn(tx, orgId, { action: 'interview.reconciled', actor: { type: 'system' }, target: { type: 'interview', id: fresh.id }, metadata: { reportMissing: true } });
        }
        return stored;
      });
      if (hasTranscript && deps.score) await deps.score.enqueue(orgId, interviewId);
      // Reconciled and the transcript taken: the recording comes to the box (with consent) and the call goes at Vapi.
      if (hasTranscript && deps.recordings) await deps.recordings.enqueue(orgId, interviewId);
      return 'reconciled';
    },

    /**
     * interview-reconcile 'hang-up' job (a recruiter asked to end the live call): ends it
     * through Vapi's live-call control. The end then arrives as for any call (status-update,
     * end-of-call-report, reconciliation), so nothing else changes here but the timeline.
     */
    async hangUp(orgId: string, interviewId: string): Promise<'ended' | 'not_live' | 'skipped'> {
      const row = await db.withTenant(orgId, (q) => findInterview(q, interviewId));
      if (!row || !row.vapi_call_id || !deps.vapi || !['calling', 'in_progress'].includes(row.status)) return 'skipped';
      const outcome = await deps.vapi.endCall(row.vapi_call_id);
      await db.withTenantTx(orgId, (tx) =>
        insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.hung_up', actor: { type: 'system' }, data: { interviewId, outcome } }),
      );
      return outcome;
    },
  };
}

export type CallService = ReturnType<typeof createCallService>;

/** The interview a Vapi call belongs to: by its call id, else by the interview id in the call's metadata. */
export async function interviewOfCallIn(q: Queryable, callId: string, metaInterviewId: unknown): Promise<InterviewRow | null> {
  return (await findInterviewByCall(q, callId)) ?? (isUuid(metaInterviewId) ? await findInterview(q, metaInterviewId) : null);
}

/** The stored Vapi assistant for a job's interviews: the org's own, else the job plan's (null: managed, not created yet). */
export async function storedAssistantIdIn(q: Queryable, jobId: string): Promise<string | null> {
  return (await findSettings(q))?.vapi_assistant_id ?? (await findPlan(q, jobId))?.vapi_assistant_id ?? null;
}

/** Phone interviews of every org whose start is overdue (the worker's start sweep; looks across orgs). */
export async function overdueStarts(db: Pick<Db, 'pool'>, graceSeconds: number, limit: number): Promise<{ orgId: string; id: string; attempts: number }[]> {
  return overdueStartsAllOrgs(db.pool, graceSeconds, limit);
}
