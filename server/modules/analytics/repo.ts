// SQL for hiring analytics: applications of a job or org in a window with their member stage
// moves, and the decisions with the AI recommendation stored when they were made. Runs on
// tenant-bound connections (RLS), so another org's rows are never visible.
import type { Queryable } from '../../core/db.js';
import { APPLICATION_IN_WINDOW, windowParams, type JobReportWindow } from '../../core/report-window.js';

export type AnalyticsWindow = JobReportWindow;

export interface AnalyticsApplicationRow {
  id: string;
  job_id: string;
  created_at: Date;
  stage_kind: string;
  utm_source: string | null;
  utm_campaign: string | null;
  moves: { kind: string; at: string }[];
}

export async function listAnalyticsApplications(q: Queryable, w: AnalyticsWindow): Promise<AnalyticsApplicationRow[]> {
  const { rows } = await q.query<AnalyticsApplicationRow>(
    `SELECT a.id, a.job_id, a.created_at, a.stage_kind, a.utm_source, a.utm_campaign,
            COALESCE((SELECT json_agg(json_build_object('kind', COALESCE(e.data->>'toKind', e.data->>'kind'), 'at', e.created_at) ORDER BY e.created_at, e.id)
                        FROM application_events e
                       WHERE e.application_id = a.id AND e.actor_type = 'user'
                         AND e.type IN ('decision.recorded', 'stage.changed')
                         AND COALESCE(e.data->>'toKind', e.data->>'kind') IS NOT NULL), '[]'::json) AS moves
       FROM applications a
      WHERE ${APPLICATION_IN_WINDOW}
      ORDER BY a.created_at, a.id`,
    windowParams(w),
  );
  return rows;
}

export interface AnalyticsDecisionRow {
  outcome: 'advance' | 'reject' | 'hire' | 'hold';
  ai_recommendation: 'advance' | 'review' | 'not_advance' | null;
}

export async function listAnalyticsDecisions(q: Queryable, w: AnalyticsWindow): Promise<AnalyticsDecisionRow[]> {
  const { rows } = await q.query<AnalyticsDecisionRow>(
    `SELECT d.outcome, d.ai_recommendation
       FROM decisions d JOIN applications a ON a.id = d.application_id
      WHERE ${APPLICATION_IN_WINDOW}
      ORDER BY d.created_at, d.id`,
    windowParams(w),
  );
  return rows;
}
