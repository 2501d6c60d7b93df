// Applications: submission (public apply and recruiter upload share one path), viewing,
// stage moves, notes and feedback, human decisions and bulk actions.
//
// Submission is all-or-nothing: the file is checked before any write, then candidate,
// key, application, document, encrypted bytes, demographics, timeline and audit event
// are written in one tenant transaction; the parse job is enqueued after commit.
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { createBulkhead } from '../../core/bulkhead.js';
import { KeyDestroyedError, type CandidateCipher, type Keyring } from '../../core/crypto.js';
import { commitIn, type Queryable, type TenantDb } from '../../core/db.js';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import type { BlobStore } from '../../core/storage.js';
import { findCandidateIdByEmailIndex, findCandidates, insertCandidate } from '../candidates/index.js';
import { createCandidateSearch } from '../candidates/index.js';
import { decryptCandidate } from '../candidates/index.js';
import { countOtherCandidatesWithSha, documentsOfApplication, findDocumentBySha, insertDocument, type DocumentRow } from '../documents/index.js';
import { detectMediaType } from '../documents/index.js';
import { findJob, stagesForJob, type StageKind, type StageRow } from '../jobs/index.js';
import type { Answer } from '../jobs/index.js';
import { answersViewIn, saveAnswersIn } from './answers.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import type { HeldResubmission, ResubmissionService } from '../resubmissions/index.js';
import type { Locale } from '../../core/i18n/locales.js';
import {
  addTag,
  decisionsOfApplication,
  eventsOfApplication,
  findApplication,
  findApplications,
  deleteCandidateKey,
  insertDecision,
  insertEvent,
  insertNote,
  insertOrFindApplication,
  latestAiRecommendation,
  listApplicationsOfJob,
  countApplicationsByStage,
  FLAG_GROUPS,
  type ListAfter,
  type TriageFlag,
  type TriageRecommendation,
  type TriageRow,
  type TriageSort,
  notesOfApplication,
  recordConsent,
  setHumanReviewOnly,
  setStage,
  upsertDemographics,
  type ApplicationRow,
  type DecisionRow,
} from './repo.js';

export interface CandidateFields {
  name: string;
  email: string;
  phone?: string;
  location?: string;
  links?: string[];
}

export interface UploadedFile {
  filename: string;
  bytes: Buffer;
}

export interface SubmitInput {
  candidate: CandidateFields;
  file: UploadedFile;
  source: 'public' | 'upload';
  /** Notice version the candidate consented to (public applications). */
  noticeVersion: string | null;
  /** The org's notice version (notice_versions.version) shown with it. */
  noticeRevision?: number | null;
  /** "A person reviews my application without AI screening": never sent to a model. */
  humanReviewOnly?: boolean;
  demographics?: Record<string, string>;
  /** Campaign source from the apply page URL, validated (issue 21 item 3). */
  utm?: { utm_source: string | null; utm_medium: string | null; utm_campaign: string | null } | null;
  /** Checked answers to the job's application questions (issue 21 item 5). */
  answers?: SubmittedAnswers | null;
  /** issue 22: the locale the apply page was shown in (also the notice's language), and the candidate's IANA zone. */
  locale?: Locale | null;
  timeZone?: string | null;
}

export interface SubmittedAnswers {
  questionsVersion: number;
  values: Record<string, Answer>;
  /** Whether the set had knock-out rules, and which matched (they only flag for human review). */
  assessed: boolean;
  knockedOutBy: string[];
}

export interface SubmitResult {
  applicationId: string;
  candidateId: string;
  documentId: string;
  merged: boolean;
  duplicateFile: boolean;
  /** How many other candidates in the org uploaded the very same file (a review hint). */
  sameFileOtherCandidates: number;
}

export interface CvParseProducer {
  enqueue(orgId: string, documentId: string): Promise<void>;
}

/** Called after commit (e.g. candidate messages); must not throw. */
export interface ApplicationHooks {
  afterSubmit?(orgId: string, e: { applicationId: string; created: boolean; source: 'public' | 'upload'; requestId: string | null }): Promise<void>;
  afterStageChange?(ctx: Ctx, changes: { applicationId: string; toKind: StageKind }[]): Promise<void>;
}



/** A decision as the API shows it, after its id (and, answering a decide call, its application). */
function decisionFields(d: DecisionRow) {
  return {
    decidedBy: d.decided_by,
    outcome: d.outcome,
    reason: d.reason,
    followedAi: d.followed_ai,
    aiRecommendation: d.ai_recommendation,
    fromStageId: d.from_stage_id,
    toStageId: d.to_stage_id,
    at: d.created_at.toISOString(),
  };
}

/**
 * Whether a decision followed the AI: same direction as the latest recommendation (advance
 * or hire after "advance", reject after "not_advance") is true, the opposite direction is
 * false; no recommendation, a "review" recommendation or a hold is not applicable (null).
 */
export function deriveFollowedAi(recommendation: string | null, outcome: DecisionRow['outcome']): boolean | null {
  if (outcome === 'hold' || (recommendation !== 'advance' && recommendation !== 'not_advance')) return null;
  const positive = outcome === 'advance' || outcome === 'hire';
  return recommendation === 'advance' ? positive : !positive;
}

const stageView = (s: StageRow): { id: string; name: string; kind: StageKind } => ({ id: s.id, name: s.name, kind: s.kind });

/** issue 14 (M2): holds public re-submissions to existing applications until the candidate confirms. */
export type ResubmissionHold = Pick<ResubmissionService, 'holdIn' | 'notify' | 'pendingView'>;

export interface ListForJobFilter {
  stageKind?: StageKind;
  stageId?: string;
  tag?: string;
  q?: string;
  cursor?: string;
  sort?: TriageSort;
  recommendation?: TriageRecommendation;
  flag?: TriageFlag[];
  limit: number;
}

/** The triage flags (issue 21) of a listed application: screening flag groups and the AI-free route. */
export function triageFlagsOf(r: Pick<TriageRow, 'screening_flags' | 'human_review_only'> & { knocked_out?: boolean }): TriageFlag[] {
  const out: TriageFlag[] = [];
  const raw = r.screening_flags ?? [];
  for (const group of ['injection', 'insufficient_evidence'] as const) {
    if (raw.some((x) => (FLAG_GROUPS[group] as readonly string[]).includes(x))) out.push(group);
  }
  if (r.human_review_only) out.push('ai_free');
  if (r.knocked_out) out.push('knockout');
  return out;
}

/** Score-sorted pages carry the score too: "<score>~<created_at cursor>". */
function encodeListCursor(last: TriageRow, sort: TriageSort): string {
  const base = encodeCursor(last.created_at_text, last.id);
  return sort === 'score' ? Buffer.from(`${last.overall_score ?? -1}~${base}`, 'utf8').toString('base64url') : base;
}

function decodeListCursor(cursor: string | undefined, sort: TriageSort): ListAfter | undefined {
  if (!cursor || sort !== 'score') return decodeCursor(cursor);
  const [score, base] = Buffer.from(cursor, 'base64url').toString('utf8').split('~');
  const n = Number(score);
  if (!base || !/^-?\d{1,3}$/.test(score ?? '') || n < -1 || n > 100) throw new BadRequestError({ detail: 'The cursor is not valid.' });
  const after = decodeCursor(base);
  return after ? { ...after, score: n } : undefined;
}

/** Public applications stored at once by this process, and how many more may wait. */
const PUBLIC_STORE_CONCURRENCY = 2;
const PUBLIC_STORE_MAX_WAITING = 50;

export function createApplicationService(deps: {
  db: TenantDb;
  audit: AuditLog;
  keyring: Keyring;
  blobs: BlobStore;
  parseQueue: CvParseProducer;
  logger: Logger;
  hooks?: ApplicationHooks;
  resubmissions?: ResubmissionHold;
}) {
  const { db, audit, keyring, blobs } = deps;
  const hooks = deps.hooks ?? {};
  const search = createCandidateSearch({ keyring });

  async function enqueueAfterCommit(orgId: string, documentId: string): Promise<void> {
    try {
      await deps.parseQueue.enqueue(orgId, documentId);
    } catch (err) {
      // The document stays 'pending'; a repeated submission or a sweep re-enqueues it.
      deps.logger.warn({ documentId, err: { message: (err as Error).message } }, 'cv-parse enqueue failed');
    }
  }

  // Anonymous applications hold a connection for their whole transaction (blob, rows, the
  // org's audit chain): at most two at once, so a burst never takes the pool from members
  // (core/bulkhead.ts, issue 19 floods). Up to 50 more wait, each holding its upload.
  const publicStoring = createBulkhead({
    concurrency: PUBLIC_STORE_CONCURRENCY,
    maxWaiting: PUBLIC_STORE_MAX_WAITING,
    busy: { detail: 'We are receiving many applications right now; please try again in a minute.', i18n: { key: 'apply.busy' } },
  });

  async function findOrCreateCandidate(tx: Queryable, orgId: string, c: CandidateFields): Promise<{ candidateId: string; cipher: CandidateCipher; created: boolean }> {
    const emailIndex = await keyring.blindIndex(tx, orgId, 'email', c.email);
    const existing = await findCandidateIdByEmailIndex(tx, emailIndex);
    if (existing) return { candidateId: existing, cipher: await keyring.candidateCipher(tx, orgId, existing), created: false };
    const candidateId = randomUUID();
    const cipher = await keyring.createCandidateKey(tx, orgId, candidateId);
    const s = (column: string, v: string): Buffer => cipher.seal('candidates', column, candidateId, v);
    const inserted = await insertCandidate(tx, {
      id: candidateId,
      orgId,
      emailIndex,
      nameEnc: s('name_enc', c.name.trim()),
      emailEnc: s('email_enc', c.email.trim()),
      phoneEnc: c.phone ? s('phone_enc', c.phone.trim()) : null,
      locationEnc: c.location ? s('location_enc', c.location.trim()) : null,
      linksEnc: c.links && c.links.length ? s('links_enc', JSON.stringify(c.links)) : null,
    });
    if (!inserted) {
      // A concurrent submission with the same email won the race: use its candidate.
      await deleteCandidateKey(tx, candidateId);
      const winner = (await findCandidateIdByEmailIndex(tx, emailIndex)) as string;
      return { candidateId: winner, cipher: await keyring.candidateCipher(tx, orgId, winner), created: false };
    }
    await search.indexName(tx, orgId, candidateId, c.name);
    return { candidateId, cipher, created: true };
  }

  async function loadCipher(q: Queryable, orgId: string, candidateId: string): Promise<CandidateCipher> {
    try {
      return await keyring.candidateCipher(q, orgId, candidateId);
    } catch (err) {
      if (err instanceof KeyDestroyedError) throw new NotFoundError({ resource: 'Candidate', detail: 'This candidate\'s data has been erased.' });
      throw err;
    }
  }

  function documentView(cipher: CandidateCipher | null, d: DocumentRow, withText: boolean) {
    return {
      id: d.id,
      mediaType: d.media_type,
      sizeBytes: d.size_bytes,
      sha256: d.sha256.toString('hex'),
      filename: cipher && d.filename_enc ? cipher.openText('documents', 'filename_enc', d.id, d.filename_enc) : null,
      parseStatus: d.parse_status,
      parseError: d.parse_error,
      parseAttempts: d.parse_attempts,
      textChars: d.text_chars,
      text: withText && cipher && d.text_enc ? cipher.openText('documents', 'text_enc', d.id, d.text_enc) : null,
      createdAt: d.created_at.toISOString(),
    };
  }

  async function resolveOutcomeStage(q: Queryable, app: ApplicationRow, outcome: DecisionRow['outcome'], toStageId?: string): Promise<StageRow> {
    const stages = await stagesForJob(q, app.job_id);
    const current = stages.find((s) => s.id === app.stage_id);
    if (toStageId) {
      const target = stages.find((s) => s.id === toStageId);
      if (!target) throw new UnprocessableError({ detail: 'toStageId is not a stage of this job\'s pipeline.' });
      const expected: Record<DecisionRow['outcome'], StageKind[] | null> = {
        advance: ['new', 'screening', 'interview', 'offer'],
        reject: ['rejected'],
        hire: ['hired'],
        hold: null,
      };
      const allowed = expected[outcome];
      if (allowed && !allowed.includes(target.kind)) throw new UnprocessableError({ detail: `A "${outcome}" decision cannot move to a stage of kind "${target.kind}".` });
      return target;
    }
    if (outcome === 'hold') return current ?? (stages[0] as StageRow);
    if (outcome === 'reject' || outcome === 'hire') {
      const target = stages.find((s) => s.kind === (outcome === 'reject' ? 'rejected' : 'hired'));
      if (!target) throw new UnprocessableError({ detail: 'This pipeline has no stage for that outcome.' });
      return target;
    }
    const active = stages.filter((s) => ['new', 'screening', 'interview', 'offer'].includes(s.kind));
    const next = active.find((s) => s.position > (current?.position ?? -1));
    if (!next) throw new UnprocessableError({ detail: 'There is no later stage to advance to; decide "hire" instead.' });
    return next;
  }

  async function decideIn(
    tx: Queryable,
    ctx: Ctx,
    app: ApplicationRow,
    input: { outcome: DecisionRow['outcome']; reason: string; toStageId?: string; via?: string },
  ): Promise<DecisionRow> {
    if (['hired', 'rejected', 'withdrawn'].includes(app.stage_kind) && input.outcome !== 'hold') {
      throw new ConflictError({ detail: `The application is already ${app.stage_kind}.` });
    }
    const target = await resolveOutcomeStage(tx, app, input.outcome, input.toStageId);
    // Derived, not typed: the recommendation the recruiter had in front of them, and what they decided.
    const aiRecommendation = app.human_review_only ? null : await latestAiRecommendation(tx, app.id);
    const followedAi = deriveFollowedAi(aiRecommendation, input.outcome);
    const decision = await insertDecision(tx, {
      orgId: ctx.orgId,
      applicationId: app.id,
      decidedBy: ctx.userId,
      outcome: input.outcome,
      reason: input.reason.trim(),
      followedAi,
      aiRecommendation,
      fromStageId: app.stage_id,
      toStageId: target.id,
    });
    if (target.id !== app.stage_id) await setStage(tx, app.id, target.id, target.kind);
    await insertEvent(tx, {
      orgId: ctx.orgId,
      applicationId: app.id,
      type: 'decision.recorded',
      actor: { type: 'user', id: ctx.userId },
      data: { decisionId: decision.id, outcome: input.outcome, fromStageId: app.stage_id, toStageId: target.id, toKind: target.kind },
    });
    await audit.recordIn(tx, ctx.orgId, {
      action: 'application.decided',
      actor: { type: 'user', id: ctx.userId },
      target: { type: 'application', id: app.id },
      metadata: { decisionId: decision.id, outcome: input.outcome, followedAi, aiRecommendation, toKind: target.kind, via: input.via ?? 'single' },
      requestId: ctx.requestId,
    });
    return decision;
  }

  /**
   * Shared by public apply and recruiter upload. With holdExisting (public apply), a
   * submission for an application that already exists changes nothing on it: it is held
   * for the candidate's confirmation by mail (issue 14, M2) and `held` is returned.
   */
  async function submitIn(
    orgId: string,
    jobId: string,
    input: SubmitInput,
    actor: { type: 'user' | 'candidate'; id?: string | null },
    requestId: string | null,
    holdExisting: ResubmissionHold | null,
  ): Promise<{ held: HeldResubmission | null; dropped: boolean } | SubmitResult> {
    // Checked before any write: 415/422 leave nothing behind.
    const mediaType = detectMediaType(input.file.bytes);
    const sha256 = createHash('sha256').update(input.file.bytes).digest();
    const result = await db.withTenantTx(orgId, async (tx): Promise<{ held: HeldResubmission | null; dropped: boolean } | (SubmitResult & { needsParse: boolean })> => {
      // Round trips (issue 19: ten applications accepted at once queue on the org's audit
      // chain): statements that do not depend on each other are issued together, and the
      // last batch carries the audit append and COMMIT, so the chain head is held only
      // while the server runs that batch. A job without stages rolls the candidate back.
      const [stages, { candidateId, cipher, created: newCandidate }] = await Promise.all([stagesForJob(tx, jobId), findOrCreateCandidate(tx, orgId, input.candidate)]);
      const first = stages.find((s) => s.kind === 'new') ?? stages[0];
      if (!first) throw new NotFoundError({ resource: 'Job' });
      const app = await insertOrFindApplication(tx, {
        orgId,
        jobId,
        candidateId,
        stageId: first.id,
        stageKind: first.kind,
        source: input.source,
        noticeVersion: input.noticeVersion,
        noticeRevision: input.noticeRevision ?? null,
        humanReviewOnly: input.humanReviewOnly === true,
        utm: input.utm ?? null,
        locale: input.locale ?? null,
        timeZone: input.timeZone ?? null,
        consentLanguage: input.noticeVersion ? (input.locale ?? null) : null,
      });
      if (!app.created && holdExisting) {
        // Anyone can type a candidate's email: nothing here proves it is them.
        const held = await holdExisting.holdIn(tx, { orgId, applicationId: app.id, jobId, candidateId, cipher, file: input.file, mediaType, sha256, noticeVersion: input.noticeVersion, requestId });
        return { held, dropped: held === null };
      }
      if (!app.created && input.noticeVersion) await recordConsent(tx, app.id, input.noticeVersion, input.noticeRevision ?? null, input.locale ?? null);
      // The AI-free choice is sticky: a later submission can make it, never silently undo it.
      if (!app.created && input.humanReviewOnly === true) await setHumanReviewOnly(tx, app.id);
      const [existingDoc, sameFileOtherCandidates] = await Promise.all([
        findDocumentBySha(tx, candidateId, sha256),
        countOtherCandidatesWithSha(tx, candidateId, sha256),
        insertEvent(tx, {
          orgId,
          applicationId: app.id,
          type: app.created ? 'application.created' : 'application.merged',
          actor,
          data: { source: input.source, ...(input.noticeVersion ? { noticeVersion: input.noticeVersion } : {}), ...(input.humanReviewOnly ? { humanReviewOnly: true } : {}) },
        }),
        input.noticeVersion
          ? insertEvent(tx, {
              orgId,
              applicationId: app.id,
              type: 'consent.recorded',
              actor,
              data: { noticeVersion: input.noticeVersion, noticeRevision: input.noticeRevision ?? null, humanReviewOnly: input.humanReviewOnly === true, ...(input.answers ? { questionsVersion: input.answers.questionsVersion } : {}) },
            })
          : null,
        app.created && input.answers ? saveAnswersIn(tx, { orgId, jobId, applicationId: app.id, cipher, actor, answers: input.answers }) : null,
      ]);
      const documentId = existingDoc?.id ?? randomUUID();
      // The last batch, with COMMIT: every statement below is issued before the batch goes out
      // (document.* timeline events map to no event hook, which would read before it writes).
      const storing = existingDoc
        ? [insertEvent(tx, { orgId, applicationId: app.id, type: 'document.duplicate', actor, data: { documentId } })]
        : [
            insertDocument(tx, {
              id: documentId,
              orgId,
              candidateId,
              applicationId: app.id,
              mediaType,
              sizeBytes: input.file.bytes.length,
              sha256,
              filenameEnc: input.file.filename ? cipher.seal('documents', 'filename_enc', documentId, input.file.filename.slice(0, 255)) : null,
            }),
            blobs.put(tx, orgId, documentId, cipher.seal('document_blobs', 'bytes_enc', documentId, input.file.bytes)),
            insertEvent(tx, { orgId, applicationId: app.id, type: 'document.uploaded', actor, data: { documentId, mediaType, sizeBytes: input.file.bytes.length } }),
          ];
      const demographics = input.demographics && Object.keys(input.demographics).length > 0 ? input.demographics : null;
      const demographicsId = randomUUID();
      await Promise.all([
        ...storing,
        demographics ? upsertDemographics(tx, { id: demographicsId, orgId, applicationId: app.id, dataEnc: cipher.seal('demographics', 'data_enc', demographicsId, JSON.stringify(demographics)), categoriesVersion: 1 }) : null,
        audit.recordIn(tx, orgId, {
          action: app.created ? 'application.created' : 'application.merged',
          actor: { type: actor.type, id: actor.id ?? null },
          target: { type: 'application', id: app.id },
          metadata: { jobId, candidateId, newCandidate, source: input.source, documentId, duplicateFile: Boolean(existingDoc), noticeVersion: input.noticeVersion, noticeRevision: input.noticeRevision ?? null, humanReviewOnly: input.humanReviewOnly === true },
          requestId,
        }),
        commitIn(tx),
      ]);
      return {
        applicationId: app.id,
        candidateId,
        documentId,
        merged: !app.created,
        duplicateFile: Boolean(existingDoc),
        sameFileOtherCandidates,
        needsParse: !existingDoc || existingDoc.parse_status === 'pending',
      };
    });
    if ('held' in result) {
      if (result.held) await holdExisting?.notify(result.held);
      return result;
    }
    if (result.needsParse) await enqueueAfterCommit(orgId, result.documentId);
    await hooks.afterSubmit?.(orgId, { applicationId: result.applicationId, created: !result.merged, source: input.source, requestId });
    const { needsParse: _needsParse, ...out } = result;
    return out;
  }

  return {
    /** Recruiter upload (and imports): a submission for an existing application is merged into it. jobId must already be visible to the caller. */
    async submit(orgId: string, jobId: string, input: SubmitInput, actor: { type: 'user' | 'candidate'; id?: string | null }, requestId: string | null): Promise<SubmitResult> {
      const out = await submitIn(orgId, jobId, input, actor, requestId, null);
      if ('held' in out) throw new Error('unreachable: nothing is held without holdExisting');
      return out;
    },

    /**
     * Public apply. Answers nothing about what happened (a new application, a held
     * re-submission or a dropped one): the caller gives every applicant the same answer.
     */
    async submitPublic(orgId: string, jobId: string, input: SubmitInput, requestId: string | null): Promise<void> {
      await publicStoring.run(() => submitIn(orgId, jobId, input, { type: 'candidate' }, requestId, deps.resubmissions ?? null));
    },

    async jobForUpload(ctx: Ctx, jobId: string): Promise<void> {
      const job = await db.withTenant(ctx.orgId, (q) => findJob(q, jobId, assignedScope(ctx)));
      if (!job) throw new NotFoundError({ resource: 'Job' });
      if (job.status === 'closed') throw new ConflictError({ detail: 'The job is closed.' });
    },

    async get(ctx: Ctx, id: string) {
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, id, assignedScope(ctx));
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const [cand] = await findCandidates(tx, [app.candidate_id]);
        if (!cand) throw new NotFoundError({ resource: 'Application' });
        const cipher = await loadCipher(tx, ctx.orgId, app.candidate_id);
        const [docs, events, notes, decisions, stages] = [
          await documentsOfApplication(tx, id),
          await eventsOfApplication(tx, id),
          await notesOfApplication(tx, id),
          await decisionsOfApplication(tx, id),
          await stagesForJob(tx, app.job_id),
        ];
        await audit.recordIn(tx, ctx.orgId, {
          action: 'candidate.viewed',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'candidate', id: app.candidate_id },
          metadata: { via: 'application', applicationId: id, role: ctx.role },
          requestId: ctx.requestId,
        });
        return {
          id: app.id,
          jobId: app.job_id,
          source: app.source,
          tags: app.tags,
          stage: { id: app.stage_id, name: app.stage_name, kind: app.stage_kind },
          pipeline: stages.map(stageView),
          consent: app.consent_notice_version
            ? { noticeVersion: app.consent_notice_version, noticeRevision: app.consent_notice_revision, language: app.consent_language, consentedAt: app.consented_at?.toISOString() ?? null }
            : null,
          humanReviewOnly: app.human_review_only,
          // issue 21 item 5: answers to the job's questions; knockedOut = needs human review.
          answers: await answersViewIn(tx, cipher, id),
          candidate: decryptCandidate(cipher, cand),
          documents: docs.map((d) => documentView(cipher, d, true)),
          timeline: events.map((e) => ({ id: e.id, type: e.type, actorType: e.actor_type, actorId: e.actor_id, data: e.data, at: e.created_at.toISOString() })),
          notes: notes.map((n) => ({
            id: n.id,
            kind: n.kind,
            authorId: n.author_id,
            rating: n.rating,
            body: cipher.openText('application_notes', 'body_enc', n.id, n.body_enc),
            at: n.created_at.toISOString(),
          })),
          decisions: decisions.map((d) => ({ id: d.id, ...decisionFields(d) })),
          // Screening results arrive with the screening module; the field is stable now.
          screening: null,
          // issue 14 (M2): unconfirmed public re-submissions (they change nothing until confirmed).
          pendingResubmissions: deps.resubmissions ? await deps.resubmissions.pendingView(tx, id) : [],
          createdAt: app.created_at.toISOString(),
          updatedAt: app.updated_at.toISOString(),
        };
      });
    },

    async listForJob(ctx: Ctx, jobId: string, f: ListForJobFilter) {
      const sort = f.sort ?? 'newest';
      const after = decodeListCursor(f.cursor, sort);
      const triage = { recommendation: f.recommendation, flags: f.flag };
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const job = await findJob(tx, jobId, assignedScope(ctx));
        if (!job) throw new NotFoundError({ resource: 'Job' });
        const query = f.q === undefined ? undefined : await search.query(tx, ctx.orgId, f.q);
        const rows = await listApplicationsOfJob(tx, { jobId, stageKind: f.stageKind, stageId: f.stageId, tag: f.tag, search: query, after, sort, triage, limit: f.limit + 1 });
        const page = rows.slice(0, f.limit);
        const cands = new Map((await findCandidates(tx, page.map((r) => r.candidate_id))).map((c) => [c.id, c]));
        const items = [];
        for (const r of page) {
          const row = cands.get(r.candidate_id);
          let name: string | null = null;
          if (row) {
            try {
              name = (await keyring.candidateCipher(tx, ctx.orgId, r.candidate_id)).openText('candidates', 'name_enc', row.id, row.name_enc);
            } catch (err) {
              if (!(err instanceof KeyDestroyedError)) throw err;
            }
          }
          items.push({
            id: r.id,
            candidateId: r.candidate_id,
            candidateName: name,
            stage: { id: r.stage_id, name: r.stage_name, kind: r.stage_kind },
            tags: r.tags,
            source: r.source,
            humanReviewOnly: r.human_review_only,
            recommendation: r.recommendation,
            overallScore: r.overall_score,
            flags: triageFlagsOf(r),
            interviewStatus: r.interview_status,
            createdAt: r.created_at.toISOString(),
          });
        }
        if (items.length > 0) {
          await audit.recordIn(tx, ctx.orgId, {
            action: 'candidates.listed',
            actor: { type: 'user', id: ctx.userId },
            target: { type: 'job', id: jobId },
            // Whether a search narrowed the list, never the search text (it is PII).
            metadata: { count: items.length, candidateIds: items.map((i) => i.candidateId), ...(query ? { search: query.emailIndex ? 'email' : 'name' } : {}) },
            requestId: ctx.requestId,
          });
        }
        const last = page.at(-1);
        return { applications: items, nextCursor: rows.length > f.limit && last ? encodeListCursor(last, sort) : null };
      });
    },

    /** Applications of a job per stage, under the same triage filter as the list (issue 21). */
    async countByStage(ctx: Ctx, jobId: string, f: { recommendation?: TriageRecommendation; flag?: TriageFlag[] }) {
      return db.withTenant(ctx.orgId, async (q) => {
        const job = await findJob(q, jobId, assignedScope(ctx));
        if (!job) throw new NotFoundError({ resource: 'Job' });
        const counts = new Map((await countApplicationsByStage(q, jobId, { recommendation: f.recommendation, flags: f.flag })).map((r) => [r.stage_id, r.count]));
        const stages = (await stagesForJob(q, jobId)).map((st) => ({ stageId: st.id, name: st.name, kind: st.kind, count: counts.get(st.id) ?? 0 }));
        return { total: stages.reduce((n, st) => n + st.count, 0), stages };
      });
    },

    async addNote(ctx: Ctx, id: string, input: { kind: 'note' | 'feedback'; body: string; rating?: number }) {
      // Hiring managers give feedback; notes are the recruiters' working space.
      const kind = ctx.role === 'hiring_manager' ? 'feedback' : input.kind;
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, id, assignedScope(ctx), true);
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const cipher = await loadCipher(tx, ctx.orgId, app.candidate_id);
        const noteId = randomUUID();
        await insertNote(tx, {
          id: noteId,
          orgId: ctx.orgId,
          applicationId: id,
          authorId: ctx.userId,
          kind,
          rating: input.rating ?? null,
          bodyEnc: cipher.seal('application_notes', 'body_enc', noteId, input.body),
        });
        await insertEvent(tx, { orgId: ctx.orgId, applicationId: id, type: `${kind}.added`, actor: { type: 'user', id: ctx.userId }, data: { noteId, rating: input.rating ?? null } });
        return { id: noteId, kind, authorId: ctx.userId, rating: input.rating ?? null, body: input.body, at: new Date().toISOString() };
      });
    },

    async moveStage(ctx: Ctx, id: string, stageId: string) {
      let changed = false;
      const moved = await db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, id, assignedScope(ctx), true);
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const target = (await stagesForJob(tx, app.job_id)).find((s) => s.id === stageId);
        if (!target) throw new UnprocessableError({ detail: 'stageId is not a stage of this job\'s pipeline.' });
        if (target.kind === 'rejected' || target.kind === 'hired') {
          throw new UnprocessableError({ detail: 'Rejecting or hiring needs a recorded human decision: use POST /api/v1/applications/:id/decision.' });
        }
        changed = target.id !== app.stage_id;
        await setStage(tx, id, target.id, target.kind);
        await insertEvent(tx, { orgId: ctx.orgId, applicationId: id, type: 'stage.changed', actor: { type: 'user', id: ctx.userId }, data: { from: app.stage_id, to: target.id, kind: target.kind } });
        await audit.recordIn(tx, ctx.orgId, {
          action: 'application.stage_changed',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'application', id },
          metadata: { fromStageId: app.stage_id, toStageId: target.id, toKind: target.kind },
          requestId: ctx.requestId,
        });
        return { id: target.id, name: target.name, kind: target.kind };
      });
      if (changed) await hooks.afterStageChange?.(ctx, [{ applicationId: id, toKind: moved.kind }]);
      return moved;
    },

    /**
     * The candidate withdraws their own application (issue 22 item 2, the status page). The
     * caller proved who the candidate is (a magic-link session of this org); an application
     * of another candidate is a 404, a closed one (hired, rejected, withdrawn) a 409. The
     * pipeline's withdrawn stage is used, or the stage row is kept with the kind withdrawn
     * when the pipeline has none (as an erasure does).
     */
    async withdrawByCandidate(orgId: string, candidateId: string, applicationId: string, requestId: string | null): Promise<{ id: string; name: string; kind: StageKind }> {
      return db.withTenantTx(orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, null, true);
        if (!app || app.candidate_id !== candidateId) throw new NotFoundError({ resource: 'Application' });
        if (app.stage_kind === 'hired' || app.stage_kind === 'rejected' || app.stage_kind === 'withdrawn') {
          throw new ConflictError({ detail: 'This application is already closed; there is nothing to withdraw.' });
        }
        const target = (await stagesForJob(tx, app.job_id)).find((s) => s.kind === 'withdrawn');
        const to = target ? stageView(target) : { id: app.stage_id, name: app.stage_name, kind: 'withdrawn' as const };
        await setStage(tx, applicationId, to.id, 'withdrawn');
        const actor = { type: 'candidate' as const };
        await insertEvent(tx, { orgId, applicationId, type: 'stage.changed', actor, data: { from: app.stage_id, to: to.id, kind: 'withdrawn', via: 'portal' } });
        await audit.recordIn(tx, orgId, {
          action: 'application.withdrawn',
          actor: { type: 'candidate', id: null },
          target: { type: 'application', id: applicationId },
          metadata: { fromStageId: app.stage_id, toStageId: to.id, fromKind: app.stage_kind, via: 'portal' },
          requestId,
        });
        return to;
      });
    },

    async decide(ctx: Ctx, id: string, input: { outcome: DecisionRow['outcome']; reason: string; toStageId?: string }) {
      let change: { applicationId: string; toKind: StageKind } | null = null;
      const decided = await db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, id, assignedScope(ctx), true);
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const d = await decideIn(tx, ctx, app, input);
        if (d.to_stage_id && d.to_stage_id !== app.stage_id) {
          const to = (await stagesForJob(tx, app.job_id)).find((s) => s.id === d.to_stage_id);
          if (to) change = { applicationId: id, toKind: to.kind };
        }
        return { id: d.id, applicationId: id, ...decisionFields(d) };
      });
      if (change) await hooks.afterStageChange?.(ctx, [change]);
      return decided;
    },

    /**
     * Bulk move / tag / reject. All or nothing: every id must be visible to the caller.
     * Rejecting needs confirm: true (a human confirming the exact set) and a reason; each
     * application gets its own recorded decision by that human.
     */
    async bulk(ctx: Ctx, input: { action: 'move' | 'tag' | 'reject'; applicationIds: string[]; stageId?: string; tag?: string; reason?: string; confirm?: boolean }) {
      const ids = [...new Set(input.applicationIds)];
      const changes: { applicationId: string; toKind: StageKind }[] = [];
      const result = await db.withTenantTx(ctx.orgId, async (tx) => {
        const apps = await findApplications(tx, ids, assignedScope(ctx));
        if (apps.length !== ids.length) throw new NotFoundError({ resource: 'Application', detail: 'One or more applications were not found.' });
        if (input.action === 'reject') {
          if (!input.reason || !input.reason.trim()) throw new UnprocessableError({ detail: 'A reason is required to reject.' });
          if (input.confirm !== true) {
            throw new ConflictError({ detail: `Rejecting ${apps.length} applications needs confirmation: repeat with "confirm": true.`, extra: { requiresConfirmation: true, count: apps.length } });
          }
          for (const app of apps) await decideIn(tx, ctx, app, { outcome: 'reject', reason: input.reason, via: 'bulk' });
        } else if (input.action === 'move') {
          for (const app of apps) {
            const target = (await stagesForJob(tx, app.job_id)).find((s) => s.id === input.stageId);
            if (!target) throw new UnprocessableError({ detail: 'stageId is not a stage of every selected application\'s pipeline.' });
            if (target.kind === 'rejected' || target.kind === 'hired') throw new UnprocessableError({ detail: 'Use action "reject" (or a decision) for that stage.' });
            await setStage(tx, app.id, target.id, target.kind);
            await insertEvent(tx, { orgId: ctx.orgId, applicationId: app.id, type: 'stage.changed', actor: { type: 'user', id: ctx.userId }, data: { from: app.stage_id, to: target.id, kind: target.kind, via: 'bulk' } });
            if (target.id !== app.stage_id) changes.push({ applicationId: app.id, toKind: target.kind });
          }
        } else {
          if (!input.tag) throw new UnprocessableError({ detail: 'A tag is required.' });
          for (const app of apps) {
            await addTag(tx, app.id, input.tag);
            await insertEvent(tx, { orgId: ctx.orgId, applicationId: app.id, type: 'tag.added', actor: { type: 'user', id: ctx.userId }, data: { tag: input.tag } });
          }
        }
        await audit.recordIn(tx, ctx.orgId, {
          action: 'applications.bulk',
          actor: { type: 'user', id: ctx.userId },
          metadata: { action: input.action, count: apps.length, applicationIds: ids },
          requestId: ctx.requestId,
        });
        return { action: input.action, count: apps.length };
      });
      if (changes.length > 0) await hooks.afterStageChange?.(ctx, changes);
      return result;
    },
  };
}

export type ApplicationService = ReturnType<typeof createApplicationService>;

// Row vocabularies the routes' schemas and handlers name.
export type { TriageFlag, TriageRecommendation } from './repo.js';
