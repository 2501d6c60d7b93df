// Typed interviews (issue 22 item 3): the approved plan's questions, stored on the interview
// at invite time, answered one at a time on the invite page. Each answer is sealed with the
// candidate key. On finish the Q/A pairs become the interview's transcript in the exact
// "AI: ... / User: ..." line format of a voice transcript, so parseTranscript, the
// insufficient-evidence gate and the scorer treat a typed answer exactly like a spoken one.
import { countTypedAnswers, insertTypedAnswer, listTypedAnswers } from './typed-repo.js';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { GlobalDb, Queryable, TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import { insertEvent } from '../applications/index.js';
import { findInterview, updateInterview, type InterviewRow } from './repo.js';
import { interviewByInviteToken } from './service.js';

/** Longest typed answer (characters): a few minutes of speech, well within the scorer's prompt budget. */
export const TYPED_ANSWER_MAX = 4000;

export interface ScoreProducer {
  enqueue(orgId: string, interviewId: string): Promise<void>;
}

export interface TypedState {
  status: string;
  total: number;
  answered: number;
  /** The next question to answer; null when all are answered (or the interview is over). */
  question: { index: number; text: string } | null;
}

/** One line per turn; line breaks inside an answer become spaces so no answer can forge a speaker line. */
export function typedTranscript(questions: string[], answers: (string | undefined)[]): string {
  const line = (text: string): string => text.replace(/\s+/g, ' ').trim();
  return questions.flatMap((q, i) => {
    const a = answers[i];
    return a && line(a) ? [`AI: ${line(q)}`, `User: ${line(a)}`] : [`AI: ${line(q)}`];
  }).join('\n');
}

// GlobalDb: an invite token names its org only through a global lookup.
export function createTypedInterviewService(deps: { db: TenantDb & GlobalDb; audit: AuditLog; keyring: Keyring; clock: () => Date; score?: ScoreProducer; log: { warn: (o: object, m: string) => void } }) {
  const { db, audit, keyring } = deps;

  function byToken(token: string): Promise<{ orgId: string; row: InterviewRow }> {
    return interviewByInviteToken(db, token);
  }

  /** A consented typed interview that is still open, locked for the transaction. */
  async function openTyped(tx: Queryable, id: string): Promise<InterviewRow> {
    const row = await findInterview(tx, id, true);
    if (!row || row.mode !== 'typed' || !row.consented_at) throw new ConflictError({ detail: 'This invitation is not a typed interview; choose typed mode on the invitation page first.', i18n: { key: 'typed.errorNotTyped' } });
    if (row.status !== 'scheduled' && row.status !== 'in_progress') throw new ConflictError({ detail: 'This typed interview is already finished.', i18n: { key: 'typed.errorFinished' } });
    if (row.invite_revoked_at || row.invite_expires_at <= deps.clock()) throw new NotFoundError({ resource: 'Invitation', detail: 'This invitation does not exist, has expired or was withdrawn.', i18n: { key: 'interview.errorInvitation' } });
    return row;
  }

  return {
    async state(token: string): Promise<TypedState> {
      const { orgId, row } = await byToken(token);
      return db.withTenant(orgId, async (q) => {
        const answered = row.mode === 'typed' ? await countTypedAnswers(q, row.id) : 0;
        const open = row.mode === 'typed' && (row.status === 'scheduled' || row.status === 'in_progress') && answered < row.questions.length;
        return { status: row.status, total: row.questions.length, answered, question: open ? { index: answered, text: row.questions[answered] as string } : null };
      });
    },

    /** Stores the answer to the next question (index must be that question: a resent form is refused, not stored twice). */
    async answer(token: string, input: { index: number; answer: string }, requestId: string): Promise<TypedState> {
      const { orgId, row: found } = await byToken(token);
      const text = input.answer.trim();
      if (!text) throw new UnprocessableError({ detail: 'Please type an answer (or finish the interview).', i18n: { key: 'typed.errorEmpty' } });
      await db.withTenantTx(orgId, async (tx) => {
        const row = await openTyped(tx, found.id);
        const next = await countTypedAnswers(tx, row.id);
        if (input.index !== next || next >= row.questions.length) throw new ConflictError({ detail: 'This question has already been answered; reload the page for the next one.', i18n: { key: 'typed.errorAlreadyAnswered' } });
        const cipher = await keyring.candidateCipher(tx, orgId, row.candidate_id);
        await insertTypedAnswer(tx, { orgId, interviewId: row.id, index: next, answerEnc: cipher.seal('interview_typed_answers', 'answer_enc', `${row.id}:${next}`, text) });
        if (row.status === 'scheduled') {
          await updateInterview(tx, row.id, { status: 'in_progress' });
          await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.typed_started', actor: { type: 'candidate' }, data: { interviewId: row.id } });
          await audit.recordIn(tx, orgId, { action: 'interview.typed_started', actor: { type: 'candidate' }, target: { type: 'interview', id: row.id }, requestId });
        }
      });
      return this.state(token);
    },

    /** Ends the typed interview: the transcript is built and sealed, and the same interview-score job is queued. */
    async finish(token: string, requestId: string): Promise<{ status: string }> {
      const { orgId, row: found } = await byToken(token);
      await db.withTenantTx(orgId, async (tx) => {
        const row = await openTyped(tx, found.id);
        const cipher = await keyring.candidateCipher(tx, orgId, row.candidate_id);
        const rows = await listTypedAnswers(tx, row.id);
        const answers: (string | undefined)[] = [];
        for (const r of rows) answers[r.question_index] = cipher.openText('interview_typed_answers', 'answer_enc', `${row.id}:${r.question_index}`, r.answer_enc);
        const transcript = typedTranscript(row.questions, answers);
        await updateInterview(tx, row.id, { status: 'ended', ended_reason: 'typed-finished', transcript_enc: cipher.seal('interviews', 'transcript_enc', row.id, transcript), report_received_at: deps.clock() });
        const data = { interviewId: row.id, mode: 'typed', answered: rows.length, questions: row.questions.length };
        await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.ended', actor: { type: 'candidate' }, data });
        await audit.recordIn(tx, orgId, { action: 'interview.typed_finished', actor: { type: 'candidate' }, target: { type: 'interview', id: row.id }, metadata: data, requestId });
      });
      // After commit; the score reconciler re-queues an ended, unscored interview if this is lost.
      try {
        await deps.score?.enqueue(orgId, found.id);
      } catch (err) {
        deps.log.warn({ interviewId: found.id, err: { message: (err as Error).message } }, 'typed interview score enqueue failed');
      }
      return { status: 'ended' };
    },
  };
}

export type TypedInterviewService = ReturnType<typeof createTypedInterviewService>;
