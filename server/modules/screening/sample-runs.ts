// What the operator checks that re-screen a sample of a job's screened CVs have in common
// (`hirebox screening stability`, `hirebox bias counterfactual`): finding the job's org,
// the AI pause and token budget, the sample and model, each sampled CV's blinding input,
// and one blinded model call whose AI runs are stored under the check's own purpose and
// charged to the org's budget. Each check decides what to call and how to report it.
import { type CandidateCipher, type Keyring } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { decryptCandidate } from '../candidates/index.js';
import { findCandidates } from '../candidates/index.js';
import { listOrgIds } from '../orgs/index.js';
import type { AuditLog } from '../../core/audit.js';
import { candidateCipherUnlessErased } from '../../core/erased-key.js';
import { callScreeningModel, type BlindInput } from './blind-call.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { ProviderError, type ModelProvider } from './model.js';
import { PROMPT_VERSION } from './prompt.js';
import { aiHoldReason } from '../ai/index.js';
import { runTotals } from '../ai/index.js';
import { addUsage, getAiSettings, insertRun, jobCriteriaVersion, loadScreeningSource, monthStart, sampleScreenedApplications, type ScreeningSource } from './repo.js';
import type { RunRecord } from './structured-call.js';

export type SamplePurpose = 'stability' | 'counterfactual';

export interface SampledApplication {
  application_id: string;
  screening_id: string;
}

export interface SampleInput {
  src: ScreeningSource;
  cipher: CandidateCipher;
  /** The CV's extracted text, decrypted. */
  text: string;
  candidate: ReturnType<typeof decryptCandidate>;
}

/** How a sample check ended: its report, or why it did not run. */
export type SampleOutcome<Report> =
  | { status: 'ok'; report: Report }
  | { status: 'job_not_found' }
  | { status: 'refused'; reason: string }
  | { status: 'no_sample'; reason: string };

export interface SampleCall {
  /** null: the provider failed or the output broke the schema (the runs are stored all the same). */
  evaluation: Evaluation | null;
  inputTokens: number;
  outputTokens: number;
}

// GlobalDb: the stability sampler lists every org, across tenants.
export function createSampleRuns(deps: { db: TenantDb & GlobalDb; audit: AuditLog; keyring: Keyring; provider: ModelProvider; defaultModel: string; clock: () => Date }) {
  const { db } = deps;
  return {
    /** The org of a job (an operator tool: it looks through every org's RLS context in turn). */
    async orgOfJob(jobId: string): Promise<{ orgId: string; criteriaVersion: number } | null> {
      for (const orgId of await listOrgIds(db.pool)) {
        const v = await db.withTenant(orgId, (q) => jobCriteriaVersion(q, jobId));
        if (v !== null) return { orgId, criteriaVersion: v };
      }
      return null;
    },

    /** Why the org's AI work must not run now, or null. */
    async hold(orgId: string): Promise<string | null> {
      return db.withTenant(orgId, async (q) => {
        return aiHoldReason(q, await getAiSettings(q), deps.clock());
      });
    },

    /** The org's model and a random sample of the job's screened applications. */
    async setup(orgId: string, jobId: string, sample: number): Promise<{ model: string; sample: SampledApplication[] }> {
      return db.withTenant(orgId, async (q) => ({
        model: (await getAiSettings(q)).model ?? deps.defaultModel,
        sample: await sampleScreenedApplications(q, jobId, sample),
      }));
    },

    /** A sampled CV's screening input, or null when it has no parsed text or its candidate was erased. */
    async loadInput(orgId: string, applicationId: string): Promise<SampleInput | null> {
      return db.withTenant(orgId, async (q) => {
        const src = await loadScreeningSource(q, applicationId);
        if (!src?.document_id || !src.text_enc || src.criteria.length === 0 || src.human_review_only) return null;
        const cipher = await candidateCipherUnlessErased(deps.keyring, q, orgId, src.candidate_id);
        if (!cipher) return null;
        const [cand] = await findCandidates(q, [src.candidate_id]);
        if (!cand) return null;
        return { src, cipher, text: cipher.openText('documents', 'text_enc', src.document_id, src.text_enc), candidate: decryptCandidate(cipher, cand) };
      });
    },

    /** One blinded model call for a sampled screening, its runs stored and charged; provider failures count as a null evaluation. */
    async call(orgId: string, picked: SampledApplication, input: SampleInput, model: string, blind: BlindInput, purpose: SamplePurpose): Promise<SampleCall> {
      let runs: RunRecord[] = [];
      let value = null;
      try {
        const call = await callScreeningModel(deps.provider, model, blind, {
          seal: (column, v) => input.cipher.seal('ai_runs', `${purpose}_${column}`, picked.screening_id, v),
          saveRunsOnProviderError: async (soFar) => {
            runs = soFar;
          },
        });
        runs = call.runs;
        value = call.value;
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
      }
      const { inputTokens, outputTokens } = runTotals(runs);
      await db.withTenantTx(orgId, async (tx) => {
        for (const r of runs) await insertRun(tx, { ...r, orgId, screeningId: picked.screening_id, purpose });
        if (inputTokens + outputTokens > 0) await addUsage(tx, orgId, monthStart(deps.clock()), inputTokens, outputTokens, runs.length);
      });
      return { evaluation: value ? evaluate(value, input.src.criteria, blind.redaction.text, false) : null, inputTokens, outputTokens };
    },

    /** The audit event of one checked application: the screening, provider, model and prompt it re-ran, then the check's own figures. */
    async auditChecked(orgId: string, action: 'ai.stability_checked' | 'bias.counterfactual_checked', jobId: string, picked: SampledApplication, model: string, figures: Record<string, unknown>): Promise<void> {
      await deps.audit.record(orgId, {
        action,
        actor: { type: 'system' },
        target: { type: 'application', id: picked.application_id },
        metadata: { jobId, screeningId: picked.screening_id, provider: deps.provider.name, model, promptVersion: PROMPT_VERSION, ...figures },
      });
    },
  };
}
