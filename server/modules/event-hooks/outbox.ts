// The outbox side of event webhooks: turns what happened (an application timeline event,
// an erasure) into the minimal event data, written in the caller's transaction so an event
// exists exactly when the change committed. The data is built from an allow-list of ids,
// stage names/kinds, outcomes and recommendations: whatever else the timeline event carries
// (reasons, flags, file details) never reaches a subscriber, nor do names, e-mail addresses,
// CV text or demographics.
import type { Queryable } from '../../core/db.js';
import { applicationRefs, recordHookEvent, stagesById, wantsEvent, type EventType } from './repo.js';

const TIMELINE_TO_EVENT: Readonly<Record<string, EventType>> = {
  'application.created': 'application.created',
  'stage.changed': 'application.stage_changed',
  'screening.completed': 'screening.completed',
  'interview.ended': 'interview.completed',
  'decision.recorded': 'decision.recorded',
};

const str = (v: unknown): string | null => (typeof v === 'string' && v.length <= 100 ? v : null);

/** Called by insertEvent (applications/repo.ts) for every timeline event; most types map to nothing. */
export async function recordTimelineHook(tx: Queryable, orgId: string, applicationId: string, timelineType: string, data: Record<string, unknown>): Promise<void> {
  const type = TIMELINE_TO_EVENT[timelineType];
  if (!type || !(await wantsEvent(tx, type))) return;
  const app = await applicationRefs(tx, applicationId);
  if (!app) return;
  const base = { applicationId, jobId: app.job_id };
  const stage = async (from: unknown, to: unknown) => {
    const ids = [str(from), str(to)].filter((x): x is string => x !== null);
    const stages = await stagesById(tx, ids);
    const view = (id: unknown) => {
      const s = stages.get(str(id) ?? '');
      return s ? { id: s.id, name: s.name, kind: s.kind } : null;
    };
    return { fromStage: view(from), toStage: view(to) };
  };
  switch (type) {
    case 'application.created':
      await recordHookEvent(tx, orgId, type, { ...base, candidateId: app.candidate_id, source: str(data.source) });
      return;
    case 'application.stage_changed':
      await recordHookEvent(tx, orgId, type, { ...base, ...(await stage(data.from, data.to)) });
      return;
    case 'screening.completed':
      await recordHookEvent(tx, orgId, type, { ...base, screeningId: str(data.screeningId), recommendation: str(data.recommendation) });
      return;
    case 'interview.completed':
      await recordHookEvent(tx, orgId, type, { ...base, interviewId: str(data.interviewId) });
      return;
    case 'decision.recorded':
      await recordHookEvent(tx, orgId, type, { ...base, decisionId: str(data.decisionId), outcome: str(data.outcome), ...(await stage(data.fromStageId, data.toStageId)) });
      return;
    default:
      return;
  }
}

/** Called by the candidate eraser, in its transaction: the ids that subscribers must now forget. */
export async function recordCandidateErased(tx: Queryable, orgId: string, candidateId: string, reason: string): Promise<void> {
  await recordHookEvent(tx, orgId, 'candidate.erased', { candidateId, reason });
}
