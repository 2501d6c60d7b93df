// SQL for applications, their timeline, notes, decisions and demographics.
import type { Queryable } from '../../core/db.js';
import type { StageKind } from '../jobs/index.js';
import { recordTimelineHook } from '../event-hooks/index.js';

export interface ApplicationRow {
  id: string;
  job_id: string;
  candidate_id: string;
  stage_id: string;
  stage_kind: StageKind;
  stage_name: string;
  source: 'public' | 'upload';
  tags: string[];
  consent_notice_version: string | null;
  consent_notice_revision: number | null;
  human_review_only: boolean;
  consented_at: Date | null;
  /** issue 22: the language the candidate applied in, their IANA zone, the language of the notice they consented to. */
  locale: string | null;
  time_zone: string | null;
  consent_language: string | null;
  created_at: Date;
  created_at_text: string;
  updated_at: Date;
}

const COLUMNS = `a.id, a.job_id, a.candidate_id, a.stage_id, a.stage_kind, s.name AS stage_name, a.source, a.tags,
  a.consent_notice_version, a.consent_notice_revision, a.human_review_only, a.consented_at, a.locale, a.time_zone, a.consent_language, a.created_at, a.created_at::text AS created_at_text, a.updated_at`;

/** Inserts unless (job, candidate) exists; returns the id and whether it was new. */
export async function insertOrFindApplication(
  tx: Queryable,
  a: {
    orgId: string;
    jobId: string;
    candidateId: string;
    stageId: string;
    stageKind: StageKind;
    source: 'public' | 'upload';
    noticeVersion: string | null;
    noticeRevision?: number | null;
    humanReviewOnly?: boolean;
    /** Campaign source from the apply page URL (issue 21 item 3). */
    utm?: { utm_source: string | null; utm_medium: string | null; utm_campaign: string | null } | null;
    /** issue 22: the candidate's language and zone; consentLanguage is the notice's language. */
    locale?: string | null;
    timeZone?: string | null;
    consentLanguage?: string | null;
  },
): Promise<{ id: string; created: boolean }> {
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO applications (org_id, job_id, candidate_id, stage_id, stage_kind, source, consent_notice_version, consented_at, consent_notice_revision, human_review_only, utm_source, utm_medium, utm_campaign, locale, time_zone, consent_language)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::text IS NULL THEN NULL ELSE now() END, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (org_id, job_id, candidate_id) DO NOTHING RETURNING id`,
    [a.orgId, a.jobId, a.candidateId, a.stageId, a.stageKind, a.source, a.noticeVersion, a.noticeRevision ?? null, a.humanReviewOnly === true, a.utm?.utm_source ?? null, a.utm?.utm_medium ?? null, a.utm?.utm_campaign ?? null, a.locale ?? null, a.timeZone ?? null, a.consentLanguage ?? null],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const existing = await tx.query<{ id: string }>('SELECT id FROM applications WHERE job_id = $1 AND candidate_id = $2', [a.jobId, a.candidateId]);
  return { id: (existing.rows[0] as { id: string }).id, created: false };
}

export async function recordConsent(tx: Queryable, id: string, noticeVersion: string, noticeRevision: number | null = null, consentLanguage: string | null = null): Promise<void> {
  // A consent given again records the language it was given in; a missing one keeps the old.
  await tx.query(
    'UPDATE applications SET consent_notice_version = $2, consent_notice_revision = $3, consent_language = COALESCE($4, consent_language), consented_at = now(), updated_at = now() WHERE id = $1',
    [id, noticeVersion, noticeRevision, consentLanguage],
  );
}

export async function setHumanReviewOnly(tx: Queryable, id: string): Promise<void> {
  await tx.query('UPDATE applications SET human_review_only = true, updated_at = now() WHERE id = $1', [id]);
}

/** Whether the candidate chose a review without AI screening (null: no such application). */
export async function isHumanReviewOnly(q: Queryable, id: string): Promise<boolean | null> {
  const { rows } = await q.query<{ human_review_only: boolean }>('SELECT human_review_only FROM applications WHERE id = $1', [id]);
  return rows[0]?.human_review_only ?? null;
}

/** An application, or null; with assignedTo, only if its job is assigned to that user. */
export async function findApplication(q: Queryable, id: string, assignedTo: string | null, forUpdate = false): Promise<ApplicationRow | null> {
  const { rows } = await q.query<ApplicationRow>(
    `SELECT ${COLUMNS} FROM applications a JOIN pipeline_stages s ON s.id = a.stage_id
      WHERE a.id = $1 AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = a.job_id AND ja.user_id = $2))
      ${forUpdate ? 'FOR UPDATE OF a' : ''}`,
    [id, assignedTo],
  );
  return rows[0] ?? null;
}

export async function findApplications(q: Queryable, ids: string[], assignedTo: string | null): Promise<ApplicationRow[]> {
  const { rows } = await q.query<ApplicationRow>(
    `SELECT ${COLUMNS} FROM applications a JOIN pipeline_stages s ON s.id = a.stage_id
      WHERE a.id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = a.job_id AND ja.user_id = $2))
      ORDER BY a.id FOR UPDATE OF a`,
    [ids, assignedTo],
  );
  return rows;
}

/** Screening flags grouped the way recruiters triage them (issue 21). */
export const FLAG_GROUPS = {
  injection: ['injection_suspected', 'model_reported_instructions', 'injection_check_flagged', 'evidence_from_suspect_part'],
  insufficient_evidence: ['ungrounded_evidence', 'must_have_without_evidence', 'high_score_without_evidence'],
} as const;
/** knockout: an application question's knock-out rule matched; the application needs human review (issue 21 item 5). */
export type TriageFlag = keyof typeof FLAG_GROUPS | 'ai_free' | 'knockout';
export const TRIAGE_FLAGS: readonly TriageFlag[] = ['injection', 'insufficient_evidence', 'ai_free', 'knockout'];
export type TriageRecommendation = 'advance' | 'review' | 'not_advance' | 'none';
export type TriageSort = 'newest' | 'oldest' | 'score';

/** Where a page of a sorted list stopped (score is -1 for "no score", which sorts last). */
export interface ListAfter {
  createdAt: string;
  id: string;
  score?: number;
}

export interface TriageFilter {
  recommendation?: TriageRecommendation;
  /** Every listed flag must apply. */
  flags?: TriageFlag[];
}

export interface TriageRow extends ApplicationRow {
  recommendation: string | null;
  overall_score: number | null;
  screening_flags: string[] | null;
  interview_status: string | null;
  knocked_out: boolean;
}

// The latest completed screening and the latest interview of each application.
const TRIAGE_JOINS = `LEFT JOIN LATERAL (
    SELECT sc.recommendation, sc.overall_score, sc.flags FROM screenings sc
     WHERE sc.application_id = a.id AND sc.status = 'completed'
     ORDER BY sc.completed_at DESC NULLS LAST, sc.generation DESC LIMIT 1) ls ON true
  LEFT JOIN LATERAL (
    SELECT i.status FROM interviews i WHERE i.application_id = a.id ORDER BY i.created_at DESC LIMIT 1) li ON true`;

/** SQL of the triage filter; parameters start at $start. */
function triageWhere(f: TriageFilter, start: number): { sql: string; params: unknown[] } {
  const flags = f.flags ?? [];
  const sql = `($${start}::text IS NULL OR ($${start} = 'none' AND ls.recommendation IS NULL) OR ls.recommendation = $${start})
        AND (NOT $${start + 1}::boolean OR COALESCE(ls.flags && $${start + 2}::text[], false))
        AND (NOT $${start + 3}::boolean OR COALESCE(ls.flags && $${start + 4}::text[], false))
        AND (NOT $${start + 5}::boolean OR a.human_review_only)
        AND (NOT $${start + 6}::boolean OR EXISTS (SELECT 1 FROM application_answers aa WHERE aa.application_id = a.id AND aa.knocked_out))`;
  return {
    sql,
    params: [
      f.recommendation ?? null,
      flags.includes('injection'),
      [...FLAG_GROUPS.injection],
      flags.includes('insufficient_evidence'),
      [...FLAG_GROUPS.insufficient_evidence],
      flags.includes('ai_free'),
      flags.includes('knockout'),
    ],
  };
}

export async function listApplicationsOfJob(
  q: Queryable,
  f: {
    jobId: string;
    stageKind?: StageKind;
    stageId?: string;
    tag?: string;
    /** Name search (every token must match) or exact email (blind index); see candidates/search.ts. */
    search?: { tokens: Buffer[] | null; emailIndex: Buffer | null };
    after?: ListAfter;
    sort?: TriageSort;
    triage?: TriageFilter;
    limit: number;
  },
): Promise<TriageRow[]> {
  const sort = f.sort ?? 'newest';
  const triage = triageWhere(f.triage ?? {}, 10);
  // Keyset pagination in the order of the chosen sort (newest first by default).
  const keyset =
    sort === 'oldest'
      ? '($5::timestamptz IS NULL OR (a.created_at, a.id) > ($5::timestamptz, $6::uuid))'
      : sort === 'score'
        ? '($5::timestamptz IS NULL OR (COALESCE(ls.overall_score, -1), a.created_at, a.id) < ($17::integer, $5::timestamptz, $6::uuid))'
        : '($5::timestamptz IS NULL OR (a.created_at, a.id) < ($5::timestamptz, $6::uuid))';
  const order = sort === 'oldest' ? 'a.created_at ASC, a.id ASC' : sort === 'score' ? 'COALESCE(ls.overall_score, -1) DESC, a.created_at DESC, a.id DESC' : 'a.created_at DESC, a.id DESC';
  const { rows } = await q.query<TriageRow>(
    `SELECT ${COLUMNS}, ls.recommendation, ls.overall_score, ls.flags AS screening_flags, li.status AS interview_status,
            EXISTS (SELECT 1 FROM application_answers aa WHERE aa.application_id = a.id AND aa.knocked_out) AS knocked_out
       FROM applications a JOIN pipeline_stages s ON s.id = a.stage_id
       ${TRIAGE_JOINS}
      WHERE a.job_id = $1 AND ($2::text IS NULL OR a.stage_kind = $2) AND ($3::uuid IS NULL OR a.stage_id = $3)
        AND ($4::text IS NULL OR $4 = ANY(a.tags))
        AND ${keyset}
        AND ($8::bytea[] IS NULL OR a.candidate_id IN (
              SELECT t.candidate_id FROM candidate_search_tokens t WHERE t.token = ANY($8::bytea[])
               GROUP BY t.candidate_id HAVING count(DISTINCT t.token) = cardinality($8::bytea[])))
        AND ($9::bytea IS NULL OR a.candidate_id IN (SELECT c.id FROM candidates c WHERE c.email_index = $9))
        AND ${triage.sql}
      ORDER BY ${order} LIMIT $7`,
    [
      f.jobId,
      f.stageKind ?? null,
      f.stageId ?? null,
      f.tag ?? null,
      f.after?.createdAt ?? null,
      f.after?.id ?? null,
      f.limit,
      f.search?.tokens ?? null,
      f.search?.emailIndex ?? null,
      ...triage.params,
      ...(sort === 'score' ? [f.after?.score ?? -1] : []),
    ],
  );
  return rows;
}

/** Applications of a job per stage under the triage filter (stage tabs and board columns). */
export async function countApplicationsByStage(q: Queryable, jobId: string, triage: TriageFilter): Promise<{ stage_id: string; count: number }[]> {
  const where = triageWhere(triage, 2);
  const { rows } = await q.query<{ stage_id: string; count: number }>(
    `SELECT a.stage_id, count(*)::int AS count FROM applications a ${TRIAGE_JOINS}
      WHERE a.job_id = $1 AND ${where.sql} GROUP BY a.stage_id`,
    [jobId, ...where.params],
  );
  return rows;
}

export async function setStage(tx: Queryable, id: string, stageId: string, stageKind: StageKind): Promise<void> {
  await tx.query('UPDATE applications SET stage_id = $2, stage_kind = $3, updated_at = now() WHERE id = $1', [id, stageId, stageKind]);
}

export async function addTag(tx: Queryable, id: string, tag: string): Promise<void> {
  await tx.query('UPDATE applications SET tags = array_append(tags, $2), updated_at = now() WHERE id = $1 AND NOT ($2 = ANY(tags))', [id, tag]);
}

export interface EventRow {
  id: string;
  type: string;
  actor_type: string;
  actor_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

export async function insertEvent(
  tx: Queryable,
  e: { orgId: string; applicationId: string; type: string; actor: { type: 'user' | 'system' | 'candidate'; id?: string | null }; data?: Record<string, unknown> },
): Promise<void> {
  // Outbound event webhooks (issue 20): the outbox row is written in the same transaction.
  // Issued together (in order): on a pipelined transaction (core/db.ts) they share a round trip.
  await Promise.all([
    tx.query('INSERT INTO application_events (org_id, application_id, type, actor_type, actor_id, data) VALUES ($1, $2, $3, $4, $5, $6)', [
      e.orgId,
      e.applicationId,
      e.type,
      e.actor.type,
      e.actor.id ?? null,
      JSON.stringify(e.data ?? {}),
    ]),
    recordTimelineHook(tx, e.orgId, e.applicationId, e.type, e.data ?? {}),
  ]);
}

export async function eventsOfApplication(q: Queryable, applicationId: string): Promise<EventRow[]> {
  const { rows } = await q.query<EventRow>('SELECT id, type, actor_type, actor_id, data, created_at FROM application_events WHERE application_id = $1 ORDER BY created_at, id', [applicationId]);
  return rows;
}

export interface NoteRow {
  id: string;
  author_id: string;
  kind: 'note' | 'feedback';
  rating: number | null;
  body_enc: Buffer;
  created_at: Date;
}

export async function insertNote(tx: Queryable, n: { id: string; orgId: string; applicationId: string; authorId: string; kind: 'note' | 'feedback'; rating: number | null; bodyEnc: Buffer }): Promise<void> {
  await tx.query('INSERT INTO application_notes (id, org_id, application_id, author_id, kind, rating, body_enc) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    n.id,
    n.orgId,
    n.applicationId,
    n.authorId,
    n.kind,
    n.rating,
    n.bodyEnc,
  ]);
}

export async function notesOfApplication(q: Queryable, applicationId: string): Promise<NoteRow[]> {
  const { rows } = await q.query<NoteRow>('SELECT id, author_id, kind, rating, body_enc, created_at FROM application_notes WHERE application_id = $1 ORDER BY created_at, id', [applicationId]);
  return rows;
}

export interface DecisionRow {
  id: string;
  decided_by: string;
  outcome: 'advance' | 'reject' | 'hire' | 'hold';
  reason: string;
  followed_ai: boolean | null;
  ai_recommendation: string | null;
  from_stage_id: string | null;
  to_stage_id: string | null;
  created_at: Date;
}

export async function insertDecision(
  tx: Queryable,
  d: {
    orgId: string;
    applicationId: string;
    decidedBy: string;
    outcome: DecisionRow['outcome'];
    reason: string;
    followedAi: boolean | null;
    aiRecommendation: string | null;
    fromStageId: string;
    toStageId: string;
  },
): Promise<DecisionRow> {
  const { rows } = await tx.query<DecisionRow>(
    `INSERT INTO decisions (org_id, application_id, decided_by, outcome, reason, followed_ai, ai_recommendation, from_stage_id, to_stage_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, decided_by, outcome, reason, followed_ai, ai_recommendation, from_stage_id, to_stage_id, created_at`,
    [d.orgId, d.applicationId, d.decidedBy, d.outcome, d.reason, d.followedAi, d.aiRecommendation, d.fromStageId, d.toStageId],
  );
  return rows[0] as DecisionRow;
}

export async function decisionsOfApplication(q: Queryable, applicationId: string): Promise<DecisionRow[]> {
  const { rows } = await q.query<DecisionRow>(
    'SELECT id, decided_by, outcome, reason, followed_ai, ai_recommendation, from_stage_id, to_stage_id, created_at FROM decisions WHERE application_id = $1 ORDER BY created_at, id',
    [applicationId],
  );
  return rows;
}

export async function upsertDemographics(tx: Queryable, d: { id: string; orgId: string; applicationId: string; dataEnc: Buffer; categoriesVersion: number }): Promise<void> {
  await tx.query(
    `INSERT INTO demographics (id, org_id, application_id, data_enc, categories_version) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (application_id) DO NOTHING`,
    [d.id, d.orgId, d.applicationId, d.dataEnc, d.categoriesVersion],
  );
}

/** A candidate key made for a submission that lost the race to a concurrent one. */
export async function deleteCandidateKey(tx: Queryable, candidateId: string): Promise<void> {
  await tx.query('DELETE FROM candidate_keys WHERE candidate_id = $1', [candidateId]);
}

export async function listDemographics(db: Queryable, applicationId: string): Promise<{ id: string; data_enc: Buffer }[]> {
  const { rows } = await db.query<{ id: string; data_enc: Buffer }>('SELECT id, data_enc FROM demographics WHERE application_id = $1', [applicationId]);
  return rows;
}

/** The recommendation of the application's latest completed AI screening, if any. */
export async function latestAiRecommendation(q: Queryable, applicationId: string): Promise<string | null> {
  const { rows } = await q.query<{ recommendation: string | null }>(
    `SELECT recommendation FROM screenings WHERE application_id = $1 AND status = 'completed'
      ORDER BY completed_at DESC NULLS LAST, generation DESC LIMIT 1`,
    [applicationId],
  );
  return rows[0]?.recommendation ?? null;
}
