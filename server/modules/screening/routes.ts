// HTTP for screening: the result of an application's screenings (advisory, with evidence,
// blinded unless an authorised viewer asks to reveal, which is audited) and the org's AI
// settings (pause switch, pinned model, monthly token budget, concurrency).
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { Type } from 'typebox';
import type { AuditLog } from '../../core/audit.js';
import { createKeyring, KeyDestroyedError, type Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses, Uuid } from '../../plugins/schemas.js';
import { findApplication } from '../applications/repo.js';
import { assignedScope, type Ctx } from '../jobs/service.js';
import { unredact } from './redact.js';
import { createQueue, QUEUES } from '../../core/queues.js';
import { createScreeningOversight, type RescreenQueue } from './oversight.js';
import { oversightRoutes } from './oversight-routes.js';
import type { AlertSink } from '../alerts/service.js';
import { aiStatusRoutes } from './status-routes.js';
import { getAiSettings, jobCriteriaVersion, monthStart, runsOfScreening, screeningsOfApplication, tokensUsed, upsertAiSettings } from './repo.js';
import type { ScreeningResult } from './service.js';

export const ADVISORY_LABEL = 'AI-generated and advisory only: a human decides. Scores cite quoted evidence from the blinded CV.';

export function createScreeningQueries(deps: { db: Db; audit: AuditLog; keyring: Keyring; clock?: () => Date }) {
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
          tokensUsedThisMonth: used,
          budgetExceeded: s.monthly_token_budget !== null && used >= s.monthly_token_budget,
        };
      });
    },

    async updateSettings(ctx: Ctx, input: { paused?: boolean; pausedReason?: string | null; model?: string | null; monthlyTokenBudget?: number | null; concurrency?: number }) {
      await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const cur = await getAiSettings(tx);
        const next = {
          paused: input.paused ?? cur.paused,
          paused_reason: input.pausedReason !== undefined ? input.pausedReason : input.paused === false ? null : cur.paused_reason,
          model: input.model !== undefined ? input.model : cur.model,
          monthly_token_budget: input.monthlyTokenBudget !== undefined ? input.monthlyTokenBudget : cur.monthly_token_budget,
          concurrency: input.concurrency ?? cur.concurrency,
        };
        await upsertAiSettings(tx, ctx.orgId, next, ctx.userId);
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'ai.settings_changed',
          actor: { type: 'user', id: ctx.userId },
          metadata: { paused: next.paused, model: next.model, monthlyTokenBudget: next.monthly_token_budget, concurrency: next.concurrency },
          requestId: ctx.requestId,
        });
      });
      return this.settings(ctx);
    },
  };
}

const Settings = Type.Object({
  paused: Type.Boolean(),
  pausedReason: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  monthlyTokenBudget: Type.Union([Type.Integer(), Type.Null()]),
  concurrency: Type.Integer(),
  tokensUsedThisMonth: Type.Integer(),
  budgetExceeded: Type.Boolean(),
});

const Evidence = Type.Object({ quote: Type.String(), grounded: Type.Boolean() });
const Criterion = Type.Object({
  key: Type.String(),
  name: Type.String(),
  mustHave: Type.Boolean(),
  weight: Type.Number(),
  score: Type.Integer(),
  verdict: Type.String(),
  reasoning: Type.String(),
  evidence: Type.Array(Evidence),
  confidence: Type.String(),
});
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Screening = Type.Object({
  id: Uuid,
  status: Type.String(),
  statusReason: Nullable(Type.String()),
  documentId: Uuid,
  criteriaVersion: Type.Integer(),
  generation: Type.Integer(),
  requestedBy: Type.Union([Uuid, Type.Null()]),
  provider: Nullable(Type.String()),
  simulated: Type.Boolean(),
  model: Nullable(Type.String()),
  promptVersion: Nullable(Type.String()),
  inputHash: Nullable(Type.String()),
  recommendation: Nullable(Type.String()),
  modelRecommendation: Nullable(Type.String()),
  overallScore: Type.Union([Type.Integer(), Type.Null()]),
  flags: Type.Array(Type.String()),
  injectionKinds: Type.Array(Type.String()),
  redactionCounts: Type.Record(Type.String(), Type.Integer()),
  tokens: Type.Object({ input: Type.Integer(), output: Type.Integer() }),
  criteria: Type.Array(Criterion),
  summary: Nullable(Type.String()),
  reasons: Type.Array(Type.String()),
  injectionFindings: Type.Array(Type.Object({ kind: Type.String(), source: Type.String(), excerpt: Type.String() })),
  runs: Type.Array(
    Type.Object({
      id: Uuid,
      model: Type.String(),
      promptVersion: Type.String(),
      inputHash: Type.String(),
      outcome: Type.String(),
      detail: Nullable(Type.String()),
      latencyMs: Type.Integer(),
      inputTokens: Type.Integer(),
      outputTokens: Type.Integer(),
      httpAttempts: Type.Integer(),
      requestId: Nullable(Type.String()),
      at: Type.String(),
    }),
  ),
  createdAt: Type.String(),
  completedAt: Nullable(Type.String()),
});

export interface ScreeningRouteDeps {
  db: Db;
  audit: AuditLog;
  masterKey: Buffer;
  /** Producer side of cv-screen for explicit rescreens. */
  redis: Redis;
  redisPrefix: string;
  publicUrl: URL;
  clock?: () => Date;
  keyring?: Keyring;
  rescreenQueue?: RescreenQueue;
  alerts?: Pick<AlertSink, 'noteExport'>;
}

export async function screeningRoutes(app: FastifyInstance, deps: ScreeningRouteDeps): Promise<void> {
  const keyring = deps.keyring ?? createKeyring({ masterKey: deps.masterKey });
  const queries = createScreeningQueries({ db: deps.db, audit: deps.audit, keyring, clock: deps.clock });
  let rescreenQueue = deps.rescreenQueue;
  if (!rescreenQueue) {
    const queue = createQueue(QUEUES.cvScreen, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => queue.close());
    rescreenQueue = {
      async enqueue(orgId, applicationId, jobId) {
        await queue.add('screen', { orgId, applicationId }, { jobId });
      },
    };
  }
  const oversight = createScreeningOversight({ db: deps.db, audit: deps.audit, keyring, queue: rescreenQueue, publicUrl: deps.publicUrl, clock: deps.clock, alerts: deps.alerts });
  await app.register(oversightRoutes, { oversight });
  await app.register(aiStatusRoutes, { db: deps.db, redis: deps.redis, redisPrefix: deps.redisPrefix });

  app.get(
    '/api/v1/applications/:id/screening',
    {
      schema: {
        operationId: 'getApplicationScreening',
        tags: ['screening'],
        description: 'AI screening results (advisory) with per-criterion scores, evidence quotes (blinded; reveal=true shows originals and is audited), flags and the record of every AI run.',
        params: Type.Object({ id: Uuid }, { additionalProperties: false }),
        querystring: Type.Object({ reveal: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            applicationId: Uuid,
            advisory: Type.Literal(true),
            label: Type.String(),
            revealed: Type.Boolean(),
            jobCriteriaVersion: Type.Integer(),
            stale: Type.Boolean(),
            staleReason: Nullable(Type.String()),
            latest: Type.Union([Screening, Type.Null()]),
            history: Type.Array(Screening),
          }),
          ...ProblemResponses,
        },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => queries.forApplication(requireCtx(request), (request.params as { id: string }).id, (request.query as { reveal: boolean }).reveal),
  );

  app.get(
    '/api/v1/ai/settings',
    {
      schema: { operationId: 'getAiSettings', tags: ['screening'], response: { 200: Settings, ...ProblemResponses } },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => queries.settings(requireCtx(request)),
  );

  app.patch(
    '/api/v1/ai/settings',
    {
      schema: {
        operationId: 'updateAiSettings',
        tags: ['screening'],
        description: 'paused: true stops all AI processing for the org at once (queued screenings wait, nothing is lost).',
        body: Type.Object(
          {
            paused: Type.Optional(Type.Boolean()),
            pausedReason: Type.Optional(Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 500 })])),
            model: Type.Optional(Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:/-]+$' })])),
            // A type list, not a union: with coercion on, a union turns 0 into null or null into 0.
            monthlyTokenBudget: Type.Optional(Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 0, maximum: 1e12 })),
            concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Settings, ...ProblemResponses },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => queries.updateSettings(requireCtx(request), request.body as Parameters<typeof queries.updateSettings>[1]),
  );
}
