// Reading an application's screenings (advisory, with evidence; blinded unless an
// authorised viewer asks to reveal, which is audited) and the org's AI settings.
import type { AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { findApplication } from '../applications/index.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { unredact } from './redact.js';
import { getAiSettings, jobCriteriaVersion, monthStart, runsOfScreening, screeningsOfApplication, tokensUsed, upsertAiSettings, type AiSettingsRow } from './repo.js';
import type { ScreeningResult } from './service.js';

export const ADVISORY_LABEL = 'AI-generated and advisory only: a human decides. Scores cite quoted evidence from the blinded CV.';

export function createScreeningQueries(deps: { db: TenantDb; audit: AuditLog; keyring: Keyring; clock?: () => Date }) {
  const clock = deps.clock ?? (() => new Date());
  return {
    async forApplication(ctx: Ctx, applicationId: string, reveal: boolean) {
      return deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx));
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const rows = await screeningsOfApplication(tx, applicationId);
        let cipher = null;
        try {
          cipher = await deps.keyring.candidateCipher(tx, ctx.orgId, app.candidate_id);
        } catch (err) {
          if (!(err instanceof KeyDestroyedError)) throw err;
        }
        const screenings = [];
        for (const r of rows) {
          let result: ScreeningResult | null = null;
          if (cipher && r.result_enc) {
            result = JSON.parse(cipher.openText('screenings', 'result_enc', r.id, r.result_enc)) as ScreeningResult;
            if (reveal && r.redaction_map_enc) {
              const map = JSON.parse(cipher.openText('screenings', 'redaction_map_enc', r.id, r.redaction_map_enc)) as Record<string, string>;
              for (const c of result.criteria) {
                c.reasoning = unredact(c.reasoning, map);
                for (const e of c.evidence) e.quote = unredact(e.quote, map);
              }
              result.summary = unredact(result.summary, map);
            }
          }
          const runs = await runsOfScreening(tx, r.id);
          screenings.push({
            id: r.id,
            status: r.status,
            statusReason: r.status_reason,
            documentId: r.document_id,
            criteriaVersion: r.criteria_version,
            generation: r.generation,
            requestedBy: r.requested_by,
            provider: r.provider,
            simulated: r.provider === 'simulated',
            model: r.model,
            promptVersion: r.prompt_version,
            inputHash: r.input_hash,
            recommendation: r.recommendation,
            modelRecommendation: r.model_recommendation,
            overallScore: r.overall_score,
            flags: r.flags,
            injectionKinds: r.injection_kinds,
            redactionCounts: r.redaction_counts,
            tokens: { input: r.input_tokens, output: r.output_tokens },
            criteria: result?.criteria ?? [],
            summary: result?.summary ?? null,
            reasons: result?.reasons ?? [],
            injectionFindings: result?.injection.findings ?? [],
            runs: runs.map((x) => ({
              id: x.id,
              model: x.model,
              promptVersion: x.prompt_version,
              inputHash: x.input_hash,
              outcome: x.outcome,
              detail: x.detail,
              latencyMs: x.latency_ms,
              inputTokens: x.input_tokens,
              outputTokens: x.output_tokens,
              httpAttempts: x.http_attempts,
              requestId: x.request_id,
              at: x.created_at.toISOString(),
            })),
            createdAt: r.created_at.toISOString(),
            completedAt: r.completed_at?.toISOString() ?? null,
          });
        }
        if (reveal) {
          await deps.audit.recordIn(tx, ctx.orgId, {
            action: 'screening.evidence_revealed',
            actor: { type: 'user', id: ctx.userId },
            target: { type: 'application', id: applicationId },
            metadata: { candidateId: app.candidate_id, role: ctx.role },
            requestId: ctx.requestId,
          });
        }
        // Stale: the job's criteria changed after the current screening. It is not redone
        // silently; a member asks for a rescreen (POST .../screening/rescreen).
        const criteriaVersion = (await jobCriteriaVersion(tx, app.job_id)) ?? 0;
        const latest = screenings[0] ?? null;
        const stale = latest !== null && latest.criteriaVersion < criteriaVersion;
        return {
          applicationId,
          advisory: true as const,
          label: ADVISORY_LABEL,
          revealed: reveal,
          jobCriteriaVersion: criteriaVersion,
          stale,
          staleReason: stale ? `The job's criteria changed (version ${latest.criteriaVersion} -> ${criteriaVersion}) after this screening. Rescreen to assess against the current criteria.` : null,
          latest,
          history: screenings.slice(1),
        };
      });
    },

    async settings(ctx: Ctx) {
      return deps.db.withTenant(ctx.orgId, async (q) => {
        const s = await getAiSettings(q);
        const used = await tokensUsed(q, monthStart(clock()));
        return {
          paused: s.paused,
          pausedReason: s.paused_reason,
          model: s.model,
          monthlyTokenBudget: s.monthly_token_budget,
          concurrency: s.concurrency,
          injectionCheck: s.injection_check,
          tokensUsedThisMonth: used,
          budgetExceeded: s.monthly_token_budget !== null && used >= s.monthly_token_budget,
        };
      });
    },

    async updateSettings(ctx: Ctx, input: { paused?: boolean; pausedReason?: string | null; model?: string | null; monthlyTokenBudget?: number | null; concurrency?: number; injectionCheck?: boolean }) {
      await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const cur = await getAiSettings(tx);
        const next = {
          paused: input.paused ?? cur.paused,
          paused_reason: input.pausedReason !== undefined ? input.pausedReason : input.paused === false ? null : cur.paused_reason,
          model: input.model !== undefined ? input.model : cur.model,
          monthly_token_budget: input.monthlyTokenBudget !== undefined ? input.monthlyTokenBudget : cur.monthly_token_budget,
          concurrency: input.concurrency ?? cur.concurrency,
          injection_check: input.injectionCheck ?? cur.injection_check,
        };
        await upsertAiSettings(tx, ctx.orgId, next, ctx.userId);
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'ai.settings_changed',
          actor: { type: 'user', id: ctx.userId },
          metadata: { paused: next.paused, model: next.model, monthlyTokenBudget: next.monthly_token_budget, concurrency: next.concurrency, injectionCheck: next.injection_check },
          requestId: ctx.requestId,
        });
      });
      return this.settings(ctx);
    },
  };
}

/** The org's AI settings (pause, budget, model), read in its tenant. */
export function aiSettingsIn(db: TenantDb, orgId: string): Promise<AiSettingsRow> {
  return db.withTenant(orgId, (q) => getAiSettings(q));
}
