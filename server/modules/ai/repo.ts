// SQL for what all AI work shares: the org's AI settings (pause switch, pinned model, monthly
// token budget, concurrency, injection check), its monthly token usage, and the AI run record
// (one ai_runs row per model call).
import type { Queryable } from '../../core/db.js';

export interface AiSettingsRow {
  paused: boolean;
  paused_reason: string | null;
  model: string | null;
  monthly_token_budget: number | null;
  concurrency: number;
  /** The separate prompt-injection detector call per screening (on unless the org turned it off). */
  injection_check: boolean;
}

export const DEFAULT_AI_SETTINGS: AiSettingsRow = { paused: false, paused_reason: null, model: null, monthly_token_budget: null, concurrency: 4, injection_check: true };

export async function getAiSettings(q: Queryable): Promise<AiSettingsRow> {
  const { rows } = await q.query<AiSettingsRow>('SELECT paused, paused_reason, model, monthly_token_budget, concurrency, injection_check FROM ai_settings');
  return rows[0] ?? DEFAULT_AI_SETTINGS;
}

export async function upsertAiSettings(tx: Queryable, orgId: string, s: AiSettingsRow, userId: string | null): Promise<void> {
  await tx.query(
    `INSERT INTO ai_settings (org_id, paused, paused_reason, model, monthly_token_budget, concurrency, updated_by, updated_at, injection_check)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)
     ON CONFLICT (org_id) DO UPDATE SET paused = $2, paused_reason = $3, model = $4, monthly_token_budget = $5, concurrency = $6, updated_by = $7, updated_at = now(), injection_check = $8`,
    [orgId, s.paused, s.paused_reason, s.model, s.monthly_token_budget, s.concurrency, userId, s.injection_check],
  );
}

export function monthStart(now: Date): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

export async function tokensUsed(q: Queryable, month: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT (input_tokens + output_tokens)::int8 AS n FROM ai_usage WHERE month = $1', [month]);
  return rows[0]?.n ?? 0;
}

export async function addUsage(tx: Queryable, orgId: string, month: string, input: number, output: number, runs: number): Promise<void> {
  await tx.query(
    `INSERT INTO ai_usage (org_id, month, input_tokens, output_tokens, runs) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (org_id, month) DO UPDATE SET input_tokens = ai_usage.input_tokens + $3, output_tokens = ai_usage.output_tokens + $4, runs = ai_usage.runs + $5`,
    [orgId, month, input, output, runs],
  );
}

export type AiRunPurpose = 'cv_screening' | 'stability' | 'counterfactual' | 'injection_check' | 'interview_scoring';

/** One model call (one attempt), made by screening/structured-call.ts and stored as an ai_runs row. */
export interface RunRecord {
  provider: string;
  model: string;
  promptVersion: string;
  inputHash: string;
  outcome: 'ok' | 'invalid_json' | 'schema_violation' | 'refused' | 'provider_error';
  detail: string | null;
  outputEnc: Buffer | null;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  httpAttempts: number;
  requestId: string | null;
}

export type AiRunInsert = RunRecord & { orgId: string };

/** Stores one run tied to the result it served (a screening or an interview score); returns its id. */
export async function insertAiRun(tx: Queryable, owner: { screeningId: string } | { interviewScoreId: string }, purpose: AiRunPurpose, r: AiRunInsert): Promise<string> {
  const [column, ownerId] = 'screeningId' in owner ? ['screening_id', owner.screeningId] : ['interview_score_id', owner.interviewScoreId];
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO ai_runs (org_id, ${column}, purpose, provider, model, prompt_version, input_hash, outcome, detail, output_enc, latency_ms, input_tokens, output_tokens, http_attempts, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
    [r.orgId, ownerId, purpose, r.provider, r.model, r.promptVersion, r.inputHash, r.outcome, r.detail, r.outputEnc, r.latencyMs, r.inputTokens, r.outputTokens, r.httpAttempts, r.requestId],
  );
  return (rows[0] as { id: string }).id;
}
