// SQL for screenings, AI runs, per-org AI settings and monthly token usage.
import type { Queryable } from '../../core/db.js';

export interface AiSettingsRow {
  paused: boolean;
  paused_reason: string | null;
  model: string | null;
  monthly_token_budget: number | null;
  concurrency: number;
}

export const DEFAULT_AI_SETTINGS: AiSettingsRow = { paused: false, paused_reason: null, model: null, monthly_token_budget: null, concurrency: 4 };

export async function getAiSettings(q: Queryable): Promise<AiSettingsRow> {
  const { rows } = await q.query<AiSettingsRow>('SELECT paused, paused_reason, model, monthly_token_budget, concurrency FROM ai_settings');
  return rows[0] ?? DEFAULT_AI_SETTINGS;
}

export async function upsertAiSettings(tx: Queryable, orgId: string, s: AiSettingsRow, userId: string | null): Promise<void> {
  await tx.query(
    `INSERT INTO ai_settings (org_id, paused, paused_reason, model, monthly_token_budget, concurrency, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (org_id) DO UPDATE SET paused = $2, paused_reason = $3, model = $4, monthly_token_budget = $5, concurrency = $6, updated_by = $7, updated_at = now()`,
    [orgId, s.paused, s.paused_reason, s.model, s.monthly_token_budget, s.concurrency, userId],
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

export interface ScreeningSource {
  application_id: string;
  candidate_id: string;
  job_id: string;
  title: string;
  description: string;
  criteria: { name: string; description: string; weight: number; mustHave: boolean }[];
  criteria_version: number;
  document_id: string | null;
  text_enc: Buffer | null;
}

/** The application, its job's criteria and its latest parsed CV. */
export async function loadScreeningSource(q: Queryable, applicationId: string): Promise<ScreeningSource | null> {
  const { rows } = await q.query<ScreeningSource>(
    `SELECT a.id AS application_id, a.candidate_id, a.job_id, j.title, j.description, j.criteria, j.criteria_version, d.id AS document_id, d.text_enc
       FROM applications a JOIN jobs j ON j.id = a.job_id
       LEFT JOIN LATERAL (SELECT id, text_enc FROM documents WHERE application_id = a.id AND parse_status = 'parsed' ORDER BY parsed_at DESC, id LIMIT 1) d ON true
      WHERE a.id = $1`,
    [applicationId],
  );
  return rows[0] ?? null;
}

export interface ScreeningRow {
  id: string;
  application_id: string;
  job_id: string;
  document_id: string;
  criteria_version: number;
  generation: number;
  status: 'pending' | 'waiting' | 'completed' | 'failed';
  status_reason: string | null;
  provider: string | null;
  model: string | null;
  prompt_version: string | null;
  input_hash: string | null;
  recommendation: string | null;
  model_recommendation: string | null;
  overall_score: number | null;
  scores: Record<string, number>;
  flags: string[];
  injection_kinds: string[];
  redaction_counts: Record<string, number>;
  result_enc: Buffer | null;
  redaction_map_enc: Buffer | null;
  raw_response_enc: Buffer | null;
  input_tokens: number;
  output_tokens: number;
  attempts: number;
  created_at: Date;
  completed_at: Date | null;
}

const COLUMNS = `id, application_id, job_id, document_id, criteria_version, generation, status, status_reason, provider, model, prompt_version,
  input_hash, recommendation, model_recommendation, overall_score, scores, flags, injection_kinds, redaction_counts, result_enc,
  redaction_map_enc, raw_response_enc, input_tokens, output_tokens, attempts, created_at, completed_at`;

/** The latest generation for (application, document, criteria version), created as pending if none. */
export async function ensureScreening(tx: Queryable, s: { orgId: string; applicationId: string; jobId: string; documentId: string; criteriaVersion: number }): Promise<ScreeningRow> {
  await tx.query(
    `INSERT INTO screenings (org_id, application_id, job_id, document_id, criteria_version) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (org_id, application_id, document_id, criteria_version, generation) DO NOTHING`,
    [s.orgId, s.applicationId, s.jobId, s.documentId, s.criteriaVersion],
  );
  const { rows } = await tx.query<ScreeningRow>(
    `SELECT ${COLUMNS} FROM screenings WHERE application_id = $1 AND document_id = $2 AND criteria_version = $3 ORDER BY generation DESC LIMIT 1 FOR UPDATE`,
    [s.applicationId, s.documentId, s.criteriaVersion],
  );
  return rows[0] as ScreeningRow;
}

export async function setWaiting(tx: Queryable, id: string, reason: string): Promise<void> {
  await tx.query(`UPDATE screenings SET status = 'waiting', status_reason = $2, updated_at = now() WHERE id = $1 AND status IN ('pending', 'waiting')`, [id, reason]);
}

export async function insertRun(
  tx: Queryable,
  r: { orgId: string; screeningId: string; provider: string; model: string; promptVersion: string; inputHash: string; outcome: string; detail: string | null; outputEnc: Buffer | null; latencyMs: number; inputTokens: number; outputTokens: number; httpAttempts: number; requestId: string | null },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO ai_runs (org_id, screening_id, provider, model, prompt_version, input_hash, outcome, detail, output_enc, latency_ms, input_tokens, output_tokens, http_attempts, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [r.orgId, r.screeningId, r.provider, r.model, r.promptVersion, r.inputHash, r.outcome, r.detail, r.outputEnc, r.latencyMs, r.inputTokens, r.outputTokens, r.httpAttempts, r.requestId],
  );
  return (rows[0] as { id: string }).id;
}

/** Finishes a screening once; false when another run already finished it. */
export async function finishScreening(
  tx: Queryable,
  id: string,
  f: {
    status: 'completed' | 'failed';
    reason: string | null;
    provider: string;
    model: string;
    promptVersion: string;
    inputHash: string;
    recommendation: string | null;
    modelRecommendation: string | null;
    overallScore: number | null;
    scores: Record<string, number>;
    flags: string[];
    injectionKinds: string[];
    redactionCounts: Record<string, number>;
    resultEnc: Buffer | null;
    redactionMapEnc: Buffer | null;
    rawResponseEnc: Buffer | null;
    inputTokens: number;
    outputTokens: number;
    attempts: number;
  },
): Promise<boolean> {
  const res = await tx.query(
    `UPDATE screenings SET status = $2, status_reason = $3, provider = $4, model = $5, prompt_version = $6, input_hash = $7, recommendation = $8,
        model_recommendation = $9, overall_score = $10, scores = $11, flags = $12, injection_kinds = $13, redaction_counts = $14, result_enc = $15,
        redaction_map_enc = $16, raw_response_enc = $17, input_tokens = input_tokens + $18, output_tokens = output_tokens + $19, attempts = attempts + $20,
        completed_at = now(), updated_at = now()
      WHERE id = $1 AND status NOT IN ('completed', 'failed')`,
    [
      id, f.status, f.reason, f.provider, f.model, f.promptVersion, f.inputHash, f.recommendation, f.modelRecommendation, f.overallScore, JSON.stringify(f.scores),
      f.flags, f.injectionKinds, JSON.stringify(f.redactionCounts), f.resultEnc, f.redactionMapEnc, f.rawResponseEnc, f.inputTokens, f.outputTokens, f.attempts,
    ],
  );
  return res.rowCount === 1;
}

export async function screeningsOfApplication(q: Queryable, applicationId: string): Promise<ScreeningRow[]> {
  const { rows } = await q.query<ScreeningRow>(`SELECT ${COLUMNS} FROM screenings WHERE application_id = $1 ORDER BY created_at DESC, generation DESC`, [applicationId]);
  return rows;
}

export interface RunRow {
  id: string;
  provider: string;
  model: string;
  prompt_version: string;
  input_hash: string;
  outcome: string;
  detail: string | null;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  http_attempts: number;
  request_id: string | null;
  created_at: Date;
}

export async function runsOfScreening(q: Queryable, screeningId: string): Promise<RunRow[]> {
  const { rows } = await q.query<RunRow>(
    `SELECT id, provider, model, prompt_version, input_hash, outcome, detail, latency_ms, input_tokens, output_tokens, http_attempts, request_id, created_at
       FROM ai_runs WHERE screening_id = $1 ORDER BY created_at, id`,
    [screeningId],
  );
  return rows;
}
