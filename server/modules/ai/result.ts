// Finishing an AI result (a screening, an interview score): the once-only UPDATE of the
// result row, its AI runs, the token charge, and the caller's timeline and audit events, in
// one transaction. The UPDATE only touches a row that is not finished yet, so a job re-run
// after a worker crash (or two workers racing) finishes and charges once; the loser stores
// its runs and learns it lost (false).
import type { AuditEventInput, AuditLog } from '../../core/audit.js';
import { commitIn, type Db, type Queryable } from '../../core/db.js';
import { addUsage, monthStart } from './repo.js';

/** A stored AI result as read (the columns screenings and interview_scores share). */
export interface AiResultRow {
  id: string;
  status: 'pending' | 'waiting' | 'completed' | 'failed';
  status_reason: string | null;
  provider: string | null;
  model: string | null;
  prompt_version: string | null;
  input_hash: string | null;
  overall_score: number | null;
  flags: string[];
  result_enc: Buffer | null;
  input_tokens: number;
  output_tokens: number;
  attempts: number;
  created_at: Date;
  completed_at: Date | null;
}

/** What finishing writes into the columns every AI result table shares (screenings, interview_scores). */
export interface AiResultFinish {
  status: 'completed' | 'failed';
  reason: string | null;
  provider: string | null;
  model: string | null;
  promptVersion: string;
  inputHash: string | null;
  overallScore: number | null;
  scores: Record<string, number | null>;
  flags: string[];
  resultEnc: Buffer | null;
  rawResponseEnc: Buffer | null;
  inputTokens: number;
  outputTokens: number;
  attempts: number;
}

export type AiResultTable = 'screenings' | 'interview_scores';

const COLUMN = /^[a-z_]+$/;

/**
 * Finishes the result row once; false when another run already finished it. `extra` are the
 * table's own columns (set as given, after the shared ones); tokens and attempts add up
 * over re-runs.
 */
export async function finishAiResultRow(tx: Queryable, table: AiResultTable, id: string, f: AiResultFinish, extra: ReadonlyArray<readonly [column: string, value: unknown]> = []): Promise<boolean> {
  const shared: unknown[] = [f.status, f.reason, f.provider, f.model, f.promptVersion, f.inputHash, f.overallScore, JSON.stringify(f.scores), f.flags, f.resultEnc, f.rawResponseEnc, f.inputTokens, f.outputTokens, f.attempts];
  const own = extra.map(([column], i) => {
    if (!COLUMN.test(column)) throw new Error(`not a column name: ${column}`);
    return `${column} = $${shared.length + 2 + i}`;
  });
  const res = await tx.query(
    `UPDATE ${table} SET status = $2, status_reason = $3, provider = $4, model = $5, prompt_version = $6, input_hash = $7, overall_score = $8,
        scores = $9, flags = $10, result_enc = $11, raw_response_enc = $12, input_tokens = input_tokens + $13, output_tokens = output_tokens + $14,
        attempts = attempts + $15, ${own.map((s) => `${s}, `).join('')}completed_at = now(), updated_at = now()
      WHERE id = $1 AND status NOT IN ('completed', 'failed')`,
    [id, ...shared, ...extra.map(([, value]) => value)],
  );
  return res.rowCount === 1;
}

/** Token and latency sums over AI runs (run records or their rows). */
export function runTotals(runs: ReadonlyArray<{ inputTokens: number; outputTokens: number; latencyMs: number }>): { inputTokens: number; outputTokens: number; latencyMs: number } {
  return {
    inputTokens: runs.reduce((s, r) => s + r.inputTokens, 0),
    outputTokens: runs.reduce((s, r) => s + r.outputTokens, 0),
    latencyMs: runs.reduce((s, r) => s + r.latencyMs, 0),
  };
}

export interface AiResultWrite {
  /** The once-only UPDATE of the result row (finishAiResultRow); false: finished elsewhere. */
  update(tx: Queryable): Promise<boolean>;
  /** The AI runs as ai_runs rows, stored whether or not this run wins. */
  storeRuns(tx: Queryable): Promise<unknown>[];
  /** Tokens to add to the org's month; null charges nothing (no tokens were used). */
  charge: { inputTokens: number; outputTokens: number; runs: number } | null;
  /** The timeline events of a result this run finished (an event hook may add statements after a read: they finish before COMMIT goes out). */
  record(tx: Queryable): Promise<unknown>[];
  /** Its audit event. */
  audit: AuditEventInput;
}

/**
 * One transaction of three round trips (issue 19): the UPDATE and the runs; the timeline
 * events (and their event-hook outbox rows); then the charge, the audit append and COMMIT in
 * one batch. The charge locks the org's month of usage and the audit append its chain head,
 * two rows every finisher of the org waits for: taken in the batch that commits, they are
 * held only while the server runs it, never across the worker's event loop (held over two
 * more round trips, two workers of 20 finishing together queued behind each other).
 */
export async function finishAiResult(deps: { db: Db; audit: AuditLog }, orgId: string, now: () => Date, w: AiResultWrite): Promise<boolean> {
  return deps.db.withTenantTx(orgId, async (tx) => {
    const [done] = await Promise.all([w.update(tx), ...w.storeRuns(tx)]);
    if (!done) return false;
    await Promise.all(w.record(tx));
    const charge = w.charge ? [addUsage(tx, orgId, monthStart(now()), w.charge.inputTokens, w.charge.outputTokens, w.charge.runs)] : [];
    await Promise.all([...charge, deps.audit.recordIn(tx, orgId, w.audit), commitIn(tx)]);
    return true;
  });
}
