// The blinded prompt and the model call of one CV screening. A real screening and a
// stability re-run both go through here, so a stability report measures exactly the
// input and settings that produce what recruiters see.
import { createHash } from 'node:crypto';
import { stripInvisible } from './injection.js';
import type { ModelProvider } from './model.js';
import { buildPrompt, PROMPT_VERSION, type JobCriterion } from './prompt.js';
import { redact, type KnownIdentifiers, type Redaction } from './redact.js';
import { outputJsonSchema, parseOutput, SCHEMA_NAME, type ScreeningOutput } from './schema.js';
import { callWithOneRetry, type RunRecord, type StructuredCallResult } from './structured-call.js';

/** Fixed sampling seed, sent wherever the provider supports one (stable scores). */
export const SEED = 20240601;

export interface BlindInput {
  redaction: Redaction;
  prompt: { system: string; user: string };
  schema: Record<string, unknown>;
  /** Hash of everything the model sees, recorded with each run. */
  inputHash: string;
  criteriaCount: number;
}

export function blindInput(model: string, job: { title: string; description: string; criteria: JobCriterion[] }, cvText: string, candidate: KnownIdentifiers): BlindInput {
  const redaction = redact(stripInvisible(cvText), candidate);
  const prompt = buildPrompt({ title: job.title, description: job.description, criteria: job.criteria, cvText: redaction.text });
  const schema = outputJsonSchema(job.criteria.length);
  const inputHash = createHash('sha256').update(JSON.stringify([model, SEED, prompt.system, prompt.user, schema]), 'utf8').digest('hex');
  return { redaction, prompt, schema, inputHash, criteriaCount: job.criteria.length };
}

export function callScreeningModel(
  provider: ModelProvider,
  model: string,
  input: BlindInput,
  store: { seal(column: string, value: string): Buffer; saveRunsOnProviderError(runs: RunRecord[]): Promise<void> },
): Promise<StructuredCallResult<ScreeningOutput>> {
  return callWithOneRetry({
    provider,
    model,
    promptVersion: PROMPT_VERSION,
    inputHash: input.inputHash,
    prompt: input.prompt,
    schemaName: SCHEMA_NAME,
    schema: input.schema,
    seed: SEED,
    parse: (content) => parseOutput(content, input.criteriaCount),
    seal: store.seal,
    saveRunsOnProviderError: store.saveRunsOnProviderError,
  });
}
