// Answers to a job's application questions (issue 21 item 5): sealed with the candidate's
// key and read back for members. A knock-out never moves the application: it stays in its
// first stage flagged "needs human review" until a member decides (decisions are human).
import { randomUUID } from 'node:crypto';
import type { CandidateCipher } from '../../core/crypto.js';
import type { Queryable } from '../../core/db.js';
import { answersOfApplication, insertAnswers, questionSetVersion } from '../jobs/index.js';
import { answerItems, type Answer } from '../jobs/index.js';
import { insertEvent } from './repo.js';
import type { SubmittedAnswers } from './service.js';

interface SealedAnswers {
  values: Record<string, Answer>;
  knockedOutBy: string[];
}

export async function saveAnswersIn(
  tx: Queryable,
  a: { orgId: string; jobId: string; applicationId: string; cipher: CandidateCipher; actor: { type: 'user' | 'candidate'; id?: string | null }; answers: SubmittedAnswers },
): Promise<void> {
  const id = randomUUID();
  const sealed: SealedAnswers = { values: a.answers.values, knockedOutBy: a.answers.knockedOutBy };
  const knockedOut = a.answers.knockedOutBy.length > 0;
  await insertAnswers(tx, {
    id,
    orgId: a.orgId,
    applicationId: a.applicationId,
    jobId: a.jobId,
    questionsVersion: a.answers.questionsVersion,
    answersEnc: a.cipher.seal('application_answers', 'answers_enc', id, JSON.stringify(sealed)),
    knockoutAssessed: a.answers.assessed,
    knockedOut,
  });
  // Which rule matched is not in the event: it would reveal the answer in plain text.
  await insertEvent(tx, { orgId: a.orgId, applicationId: a.applicationId, type: 'answers.recorded', actor: a.actor, data: { questionsVersion: a.answers.questionsVersion, knockedOut } });
  if (knockedOut) {
    await insertEvent(tx, { orgId: a.orgId, applicationId: a.applicationId, type: 'knockout.flagged', actor: { type: 'system' }, data: { needsHumanReview: true } });
  }
}

export interface AnswersView {
  questionsVersion: number;
  knockedOut: boolean;
  items: ReturnType<typeof answerItems>;
  at: string;
}

/** The application's answers as the member sees them (labels of the version answered); null without answers. */
export async function answersViewIn(q: Queryable, cipher: CandidateCipher, applicationId: string): Promise<AnswersView | null> {
  const row = await answersOfApplication(q, applicationId);
  if (!row) return null;
  const set = await questionSetVersion(q, row.job_id, row.questions_version);
  const sealed = JSON.parse(cipher.openText('application_answers', 'answers_enc', row.id, row.answers_enc)) as SealedAnswers;
  return {
    questionsVersion: row.questions_version,
    knockedOut: row.knocked_out,
    items: set ? answerItems({ questions: set.questions, knockouts: set.knockouts }, sealed.values, sealed.knockedOutBy) : [],
    at: row.created_at.toISOString(),
  };
}
