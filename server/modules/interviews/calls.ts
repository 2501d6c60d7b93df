// The worker's side of interviews: place the call (interview-start), apply verified Vapi
// server messages (webhook-ingest) and reconcile with GET /call/:id (interview-reconcile),
// so a lost end-of-call-report never loses an interview. Every step re-reads state and
// does nothing if its work is already done.
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { openText, type Keyring } from '../../core/crypto.js';
import { isUuid, type Db, type Queryable } from '../../core/db.js';
import { insertEvent } from '../applications/repo.js';
import { findMessage, markProcessed } from '../webhooks/repo.js';
import { messageAad, type ServerMessageEnvelope } from '../webhooks/service.js';
import { findInterview, findInterviewByCall, findSettings, updateInterview, type InterviewRow } from './repo.js';
import { VapiError } from '@vapi-ai/server-sdk';
import { isPermanentVapiError, recordingRefOf, type VapiApi } from './vapi.js';

export class RetryLaterError extends Error {}
export class PermanentFailure extends Error {}

export interface ScoreProducer {
  /** Queues the transcript's scoring (deterministic job id: once per interview). */
  enqueue(orgId: string, interviewId: string): Promise<void>;
}

export interface ReconcileProducer {
  /** Schedules a GET /call/:id check after delayMs. */
  enqueue(orgId: string, interviewId: string, delayMs: number): Promise<void>;
}

const STATUS_RANK: Record<string, number> = { queued: 1, ringing: 2, 'in-progress': 3, forwarding: 4, ended: 5 };
/** How long after a message arrives we keep waiting for its interview to know the call id. */
const ORPHAN_GRACE_MS = 10 * 60 * 1000;
/** After a report, check once more with Vapi; without one, check after the max duration plus this. */
export const RECONCILE_AFTER_REPORT_MS = 5_000;
export const RECONCILE_SLACK_MS = 5 * 60 * 1000;

export const AI_DISCLOSURE_FIRST_MESSAGE =
  'Hello, I am an AI interviewer, not a person. I will ask a few questions about your experience; you can ask for a human interviewer at any time.';

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

export function createCallService(deps: { db: Db; audit: AuditLog; keyring: Keyring; vapi: VapiApi | null; reconcile: ReconcileProducer; score?: ScoreProducer; clock: () => Date; log: Logger }) {
  const { db, keyring } = deps;

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

  return {
    /** interview-start: places the outbound call once. */
    async startCall(orgId: string, interviewId: string): Promise<'placed' | 'skipped'> {
      const claim = await db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, interviewId, true);
        if (!row || row.status !== 'scheduled' || row.vapi_call_id) return null;
        const settings = await findSettings(tx);
        if (!deps.vapi || !settings?.vapi_assistant_id || !settings.vapi_phone_number_id) {
          await updateInterview(tx, row.id, { status: 'failed', call_error: 'vapi_not_configured' });
          return 'unconfigured' as const;
        }
        if (!row.phone_enc) throw new PermanentFailure('no confirmed phone number');
        const phone = (await keyring.candidateCipher(tx, orgId, row.candidate_id)).openText('interviews', 'phone_enc', row.id, row.phone_enc);
        // Claim before calling out: a crash after Vapi accepted must not place a second call.
        await updateInterview(tx, row.id, { status: 'calling', call_status: 'creating' });
        return { row, phone, assistantId: settings.vapi_assistant_id, phoneNumberId: settings.vapi_phone_number_id };
      });
      if (!claim) return 'skipped';
      if (claim === 'unconfigured') throw new PermanentFailure('Vapi is not configured for this org (API key, assistant and phone number)');
      const { row } = claim;
      let call: { id: string; status: string | null };
      try {
        call = await (deps.vapi as VapiApi).createCall({
          phoneNumberId: claim.phoneNumberId,
          customer: { number: claim.phone },
          assistantId: claim.assistantId,
          assistantOverrides: {
            firstMessage: AI_DISCLOSURE_FIRST_MESSAGE,
            maxDurationSeconds: row.max_duration_seconds,
            artifactPlan: { recordingEnabled: row.recording_consent === true },
            variableValues: { questions: row.questions.map((q, i) => `${i + 1}. ${q}`).join('\n'), questionCount: row.questions.length, language: row.language },
            metadata: { orgId, applicationId: row.application_id, interviewId: row.id },
          },
        });
      } catch (err) {
        const status = err instanceof VapiError ? err.statusCode : undefined;
        if (status === 429 || (status !== undefined && status >= 500)) {
          // Vapi answered and refused: no call exists, so release the claim and let BullMQ retry.
          await db.withTenantTx(orgId, (tx) => updateInterview(tx, row.id, { status: 'scheduled', call_status: 'retrying', call_error: `vapi_${status}` }));
          throw new RetryLaterError(`POST /call answered ${status}`);
        }
        // A 4xx will not improve; a timeout or network error leaves it unknown whether Vapi
        // placed the call, so a person decides rather than risking a second call.
        const reason = isPermanentVapiError(err) ? `call_rejected_${String(status)}` : 'call_state_unknown';
        await db.withTenantTx(orgId, (tx) => updateInterview(tx, row.id, { status: 'failed', call_status: 'create-failed', call_error: reason }));
        throw new PermanentFailure(`POST /call failed: ${reason}`);
      }
      await db.withTenantTx(orgId, async (tx) => {
        await updateInterview(tx, row.id, { vapi_call_id: call.id, call_status: call.status ?? 'queued' });
        await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.call_started', actor: { type: 'system' }, data: { interviewId: row.id } });
        await deps.audit.recordIn(tx, orgId, { action: 'interview.call_started', actor: { type: 'system' }, target: { type: 'interview', id: row.id }, metadata: { callId: call.id } });
      });
      // A safety net: if no report ever comes, ask Vapi after the longest possible call.
      await deps.reconcile.enqueue(orgId, row.id, row.max_duration_seconds * 1000 + RECONCILE_SLACK_MS);
      return 'placed';
    },

    /** webhook-ingest: applies one stored message exactly once. */
    async applyMessage(orgId: string, messageId: string): Promise<string> {
      const result = await db.withTenantTx(orgId, async (tx) => {
        const msg = await findMessage(tx, messageId, true);
        if (!msg || msg.processed_at || !msg.body_enc) return { outcome: 'already_processed', reconcile: null, score: false };
        const raw = openText(await keyring.orgKey(tx, orgId), msg.body_enc, messageAad(orgId, msg.id));
        const { message } = JSON.parse(raw) as ServerMessageEnvelope;
        let row = await findInterviewByCall(tx, msg.call_id, true);
        if (!row) {
          // The webhook may beat our own write of the call id: fall back to the metadata we sent.
          const meta = (message.call as { assistantOverrides?: { metadata?: { interviewId?: unknown } } } | undefined)?.assistantOverrides?.metadata;
          const candidateId = meta?.interviewId;
          const byMeta = isUuid(candidateId) ? await findInterview(tx, candidateId, true) : null;
          if (byMeta && (!byMeta.vapi_call_id || byMeta.vapi_call_id === msg.call_id)) row = byMeta;
        }
        if (!row) {
          if (deps.clock().getTime() - Number(msg.message_ts > 0 ? msg.message_ts : 0) < ORPHAN_GRACE_MS && msg.message_ts > 0) throw new RetryLaterError('no interview knows this call yet');
          await markProcessed(tx, msg.id, 'no_interview');
          return { outcome: 'no_interview', reconcile: null, score: false };
        }
        let outcome = 'ignored';
        let reconcile: string | null = null;
        let score = false;
        if (msg.message_type === 'status-update') {
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
          reconcile = row.id;
        } else if (msg.message_type === 'transcript' || msg.message_type === 'conversation-update') {
          // Live partials: the end-of-call report (or GET /call) carries the authoritative transcript.
          outcome = 'live_update';
        } else if (msg.message_type === 'hang') {
          outcome = 'hang_noted';
        } else {
          deps.log.info({ messageId: msg.id, type: msg.message_type }, 'vapi message type not handled; ignored');
        }
        await markProcessed(tx, msg.id, outcome);
        return { outcome, reconcile, score };
      });
      if (result.reconcile) await deps.reconcile.enqueue(orgId, result.reconcile, RECONCILE_AFTER_REPORT_MS);
      if (result.score && result.reconcile && deps.score) await deps.score.enqueue(orgId, result.reconcile);
      return result.outcome;
    },

    /** interview-reconcile: fills whatever the webhooks did not deliver from GET /call/:id. */
    async reconcile(orgId: string, interviewId: string): Promise<'reconciled' | 'not_ended' | 'skipped'> {
      const row = await db.withTenant(orgId, (q) => findInterview(q, interviewId));
      if (!row || !row.vapi_call_id || !deps.vapi) return 'skipped';
      if (row.reconciled_at && row.transcript_enc) return 'skipped';
      const call = await deps.vapi.getCall(row.vapi_call_id);
      if (call.status !== 'ended') return 'not_ended';
      const hasTranscript = await db.withTenantTx(orgId, async (tx) => {
        const fresh = await findInterview(tx, interviewId, true);
        if (!fresh) return false;
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
      return 'reconciled';
    },
  };
}

export type CallService = ReturnType<typeof createCallService>;
