// Reads for the AI and processing documentation (issue 18 item 10): the live org settings
// the documents are generated from. No personal data is read here.
import type { Queryable } from '../../core/db.js';
import type { VoiceSetting } from '../interviews/index.js';

export async function orgProfile(q: Queryable, orgId: string): Promise<{ name: string; slug: string } | null> {
  const { rows } = await q.query<{ name: string; slug: string }>('SELECT name, slug FROM orgs WHERE id = $1', [orgId]);
  return rows[0] ?? null;
}

/** Whether the org runs voice interviews (a Vapi assistant or phone number set) and its plans' languages and voices. */
export async function interviewFacts(q: Queryable): Promise<{ enabled: boolean; ownAssistant: boolean; plans: { language: string; voice: VoiceSetting | null }[] }> {
  const s = await q.query<{ assistant: string | null; phone: string | null }>('SELECT vapi_assistant_id AS assistant, vapi_phone_number_id AS phone FROM interview_settings');
  const row = s.rows[0];
  const enabled = Boolean(row && (row.assistant || row.phone));
  const plans = await q.query<{ language: string; voice: VoiceSetting | null }>('SELECT language, voice FROM interview_plans ORDER BY job_id LIMIT 200');
  return { enabled, ownAssistant: Boolean(row?.assistant), plans: plans.rows };
}

export interface StabilitySummary {
  at: Date;
  provider: string;
  model: string;
  sampled: number;
  runsPerApplication: number;
  stable: boolean;
  criteria: { key: string; name: string; maxSpread: number; meanStdev: number; meanVerdictAgreement: number }[];
}

/** The newest `hirebox screening stability` result (recorded in the audit chain as ai.stability_reported). */
export async function latestStability(q: Queryable): Promise<StabilitySummary | null> {
  const { rows } = await q.query<{ occurred_at: Date; metadata: Omit<StabilitySummary, 'at'> }>(
    "SELECT occurred_at, metadata FROM audit_events WHERE action = 'ai.stability_reported' ORDER BY seq DESC LIMIT 1",
  );
  const r = rows[0];
  return r ? { ...r.metadata, at: r.occurred_at } : null;
}

/** Decisions taken by people on AI-screened applications: the human-oversight figure of the card. */
export async function oversightCounts(q: Queryable): Promise<{ screened: number; decided: number; overrode: number }> {
  const { rows } = await q.query<{ screened: number; decided: number; overrode: number }>(
    `SELECT (SELECT count(*)::int FROM screenings WHERE status = 'completed') AS screened,
            (SELECT count(*)::int FROM decisions) AS decided,
            (SELECT count(*)::int FROM decisions WHERE followed_ai IS FALSE) AS overrode`,
  );
  return rows[0] ?? { screened: 0, decided: 0, overrode: 0 };
}
