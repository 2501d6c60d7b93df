// SQL for the bias report and monitor: the applications of a job or org with what a human
// did with them, their (still encrypted) demographics and latest AI score; the per-org
// thresholds; the monitor's last breach state. Runs on tenant-bound connections (RLS).
import type { Queryable } from '../../core/db.js';
import { APPLICATION_IN_WINDOW, windowParams, type JobReportWindow } from '../../core/report-window.js';
import type { StageKind } from '../jobs/index.js';

export type ReportWindow = JobReportWindow;

export interface ReportApplicationRow {
  id: string;
  job_id: string;
  candidate_id: string;
  stage_kind: StageKind;
  /** The candidate chose a review without AI screening. */
  human_review_only: boolean;
  /** Stage kinds a member moved the application to (decisions and stage moves). */
  reached_kinds: string[];
  demographics_id: string | null;
  demographics_enc: Buffer | null;
  /** Overall score of the latest completed AI screening, if any. */
  score: number | null;
  /** issue 21 item 5: null when no knock-out rule applied to the application; else whether one matched. */
  knocked_out: boolean | null;
}

// Human steps only: decision.recorded carries toKind, stage.changed carries kind, and both
// are written with actor_type 'user' (the AI never moves an application).
export async function listReportApplications(q: Queryable, w: ReportWindow): Promise<ReportApplicationRow[]> {
  const { rows } = await q.query<ReportApplicationRow>(
    `SELECT a.id, a.job_id, a.candidate_id, a.stage_kind, a.human_review_only,
            COALESCE((SELECT array_agg(DISTINCT COALESCE(e.data->>'toKind', e.data->>'kind'))
                        FROM application_events e
                       WHERE e.application_id = a.id AND e.actor_type = 'user'
                         AND e.type IN ('decision.recorded', 'stage.changed')
                         AND COALESCE(e.data->>'toKind', e.data->>'kind') IS NOT NULL), '{}') AS reached_kinds,
            d.id AS demographics_id, d.data_enc AS demographics_enc,
            (SELECT s.overall_score FROM screenings s
              WHERE s.application_id = a.id AND s.status = 'completed' AND s.overall_score IS NOT NULL
              ORDER BY s.completed_at DESC NULLS LAST, s.generation DESC LIMIT 1) AS score,
            (SELECT aa.knocked_out FROM application_answers aa WHERE aa.application_id = a.id AND aa.knockout_assessed) AS knocked_out
       FROM applications a
       JOIN candidates c ON c.id = a.candidate_id
       LEFT JOIN demographics d ON d.application_id = a.id
      WHERE c.erased_at IS NULL
        AND ${APPLICATION_IN_WINDOW}
      ORDER BY a.job_id, a.id`,
    windowParams(w),
  );
  return rows;
}

/** Applications in the window whose candidate was erased (retention or request): not in the report. */
export async function countErasedApplications(q: Queryable, w: ReportWindow): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM applications a JOIN candidates c ON c.id = a.candidate_id
      WHERE c.erased_at IS NOT NULL
        AND ${APPLICATION_IN_WINDOW}`,
    windowParams(w),
  );
  return rows[0]?.n ?? 0;
}

export interface ReportJobRow {
  id: string;
  title: string;
}

export async function findReportJob(q: Queryable, jobId: string): Promise<ReportJobRow | null> {
  const { rows } = await q.query<ReportJobRow>('SELECT id, title FROM jobs WHERE id = $1', [jobId]);
  return rows[0] ?? null;
}

/** Jobs that have at least one application (the monitor and the org report go through these). */
export async function listJobsWithApplications(q: Queryable): Promise<ReportJobRow[]> {
  const { rows } = await q.query<ReportJobRow>('SELECT j.id, j.title FROM jobs j WHERE EXISTS (SELECT 1 FROM applications a WHERE a.job_id = j.id) ORDER BY j.created_at, j.id');
  return rows;
}

export const DEFAULT_BIAS_SETTINGS = { impactRatioThreshold: 0.8, minSampleSize: 5, minSampleShare: 0.02 } as const;

export interface BiasSettingsRecord {
  impactRatioThreshold: number;
  minSampleSize: number;
  minSampleShare: number;
  updatedAt: Date | null;
  updatedBy: string | null;
}

interface SettingsRow {
  impact_ratio_threshold: string;
  min_sample_size: number;
  min_sample_share: string;
  updated_at: Date;
  updated_by: string | null;
}

const toSettings = (r: SettingsRow): BiasSettingsRecord => ({
  impactRatioThreshold: Number(r.impact_ratio_threshold),
  minSampleSize: r.min_sample_size,
  minSampleShare: Number(r.min_sample_share),
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

export async function getBiasSettings(q: Queryable): Promise<BiasSettingsRecord> {
  const { rows } = await q.query<SettingsRow>('SELECT impact_ratio_threshold, min_sample_size, min_sample_share, updated_at, updated_by FROM bias_settings');
  return rows[0] ? toSettings(rows[0]) : { ...DEFAULT_BIAS_SETTINGS, updatedAt: null, updatedBy: null };
}

export async function upsertBiasSettings(
  tx: Queryable,
  orgId: string,
  s: { impactRatioThreshold: number; minSampleSize: number; minSampleShare: number },
  userId: string,
): Promise<BiasSettingsRecord> {
  const { rows } = await tx.query<SettingsRow>(
    `INSERT INTO bias_settings (org_id, impact_ratio_threshold, min_sample_size, min_sample_share, updated_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (org_id) DO UPDATE SET impact_ratio_threshold = EXCLUDED.impact_ratio_threshold, min_sample_size = EXCLUDED.min_sample_size,
       min_sample_share = EXCLUDED.min_sample_share, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING impact_ratio_threshold, min_sample_size, min_sample_share, updated_at, updated_by`,
    [orgId, s.impactRatioThreshold, s.minSampleSize, s.minSampleShare, userId],
  );
  return toSettings(rows[0] as SettingsRow);
}

/** Locks (creating if needed) the org's monitor state and returns the breach keys of the last run. */
export async function lockMonitorState(tx: Queryable, orgId: string): Promise<string[]> {
  await tx.query('INSERT INTO bias_monitor_state (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING', [orgId]);
  const { rows } = await tx.query<{ breach_keys: string[] }>('SELECT breach_keys FROM bias_monitor_state WHERE org_id = $1 FOR UPDATE', [orgId]);
  return rows[0]?.breach_keys ?? [];
}

export async function saveMonitorState(tx: Queryable, orgId: string, breachKeys: string[], alerted: boolean): Promise<void> {
  await tx.query(
    `UPDATE bias_monitor_state SET breach_keys = $2, checked_at = now(), last_alert_at = CASE WHEN $3 THEN now() ELSE last_alert_at END WHERE org_id = $1`,
    [orgId, breachKeys, alerted],
  );
}
