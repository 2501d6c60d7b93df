// One model call with the pinned schema, retried once when the answer is refused or does
// not parse; every attempt becomes a run record (stored by the caller). Shared by CV
// screening and interview scoring so both treat model output the same way.
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import type { RunRecord } from '../ai/index.js';
import { ProviderError, type ModelProvider, type StructuredResponse } from './model.js';

/** What a runner of AI work (CV screening, interview scoring) is built from. */
export interface AiRunnerDeps {
  db: Db;
  audit: AuditLog;
  keyring: Keyring;
  provider: ModelProvider;
  /** Model when the org has not pinned one. */
  defaultModel: string;
  logger: Logger;
  clock?: () => Date;
}

// A run record is the AI plumbing's (stored by ai/repo.ts insertAiRun).
export type { RunRecord } from '../ai/index.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: 'invalid_json' | 'schema_violation'; detail: string };

export interface StructuredCallInput<T> {
  provider: ModelProvider;
  model: string;
  promptVersion: string;
  inputHash: string;
  prompt: { system: string; user: string };
  schemaName: string;
  schema: Record<string, unknown>;
  seed: number;
  parse(content: string): Parsed<T>;
  /** Seals an attempt's raw output (column name given) with the candidate's key. */
  seal(column: string, value: string): Buffer;
  /** Stores the runs so far before a provider failure is rethrown for the queue to retry. */
  saveRunsOnProviderError(runs: RunRecord[]): Promise<void>;
}

export interface StructuredCallResult<T> {
  value: T | null;
  runs: RunRecord[];
  last: StructuredResponse | null;
  /** Why the last attempt gave no value ('refused', 'invalid_json', 'schema_violation'). */
  lastReason: string;
}

export async function callWithOneRetry<T>(input: StructuredCallInput<T>): Promise<StructuredCallResult<T>> {
  const { provider, model, promptVersion, inputHash } = input;
  const runs: RunRecord[] = [];
  let last: StructuredResponse | null = null;
  let lastReason = '';
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    let res: StructuredResponse;
    try {
      res = await provider.complete({ model, system: input.prompt.system, user: input.prompt.user, schemaName: input.schemaName, schema: input.schema, seed: input.seed });
    } catch (err) {
      if (err instanceof ProviderError) {
        runs.push({ provider: provider.name, model, promptVersion, inputHash, outcome: 'provider_error', detail: err.code, outputEnc: null, latencyMs: 0, inputTokens: 0, outputTokens: 0, httpAttempts: err.attempts, requestId: null });
        await input.saveRunsOnProviderError(runs);
      }
      throw err;
    }
    last = res;
    const raw = res.content ?? res.refusal ?? '';
    const base = { provider: provider.name, model: res.model, promptVersion, inputHash, outputEnc: input.seal(`run_output_${attempt}`, raw), latencyMs: res.latencyMs, inputTokens: res.usage.inputTokens, outputTokens: res.usage.outputTokens, httpAttempts: res.attempts, requestId: res.requestId };
    if (res.refusal !== null || res.content === null) {
      lastReason = 'refused';
      runs.push({ ...base, outcome: 'refused', detail: (res.refusal ?? 'no content').slice(0, 200) });
      continue;
    }
    const parsed = input.parse(res.content);
    if (!parsed.ok) {
      lastReason = parsed.reason;
      runs.push({ ...base, outcome: parsed.reason, detail: parsed.detail });
      continue;
    }
    runs.push({ ...base, outcome: 'ok', detail: null });
    return { value: parsed.value, runs, last, lastReason };
  }
  return { value: null, runs, last, lastReason };
}
