// GET /api/v1/ai/status: whether AI work can run right now, so the console can say why
// screenings or interview scores are waiting. It shows the provider circuit breakers
// (shared by every worker process through Redis; see server/core/circuit-breaker.ts) and
// the org's own pause switch. Breaker state is about the provider, not about any org, so
// it carries no tenant data: states, times and failure codes only.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { Type } from 'typebox';
import { createCircuitBreaker, type BreakerSnapshot, type CircuitBreaker } from '../../core/circuit-breaker.js';
import type { Db } from '../../core/db.js';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses } from '../../core/schemas.js';
import { aiSettingsIn } from './queries.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

/** Breaker names as the worker creates them: the model provider (worker/main.ts) and Vapi calls. */
export const PROVIDER_BREAKERS = ['openai', 'vapi'] as const;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const State = Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half_open')]);
const Breaker = Type.Object({
  name: Type.String(),
  state: State,
  /** closed: calls go through; open: work waits until retryAt; half_open: one probe call is testing the provider. */
  message: Type.String(),
  consecutiveFailures: Type.Integer(),
  openedAt: Nullable(Type.String()),
  retryAt: Nullable(Type.String()),
  lastFailureCode: Nullable(Type.String()),
  history: Type.Array(Type.Object({ from: State, to: State, reason: Type.String(), code: Nullable(Type.String()), at: Type.String() })),
});

function message(s: BreakerSnapshot): string {
  if (s.state === 'open') return `The ${s.breaker} provider is failing (${s.lastFailureCode ?? 'errors'}); AI work waits and resumes automatically${s.retryAt ? ` (next check ${s.retryAt})` : ''}. Nothing is lost.`;
  if (s.state === 'half_open') return `Checking whether the ${s.breaker} provider has recovered; AI work resumes when it has.`;
  return `The ${s.breaker} provider is available.`;
}

export async function aiStatusRoutes(fastify: FastifyInstance, deps: { db: Db; redis: Redis; redisPrefix: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const breakers: CircuitBreaker[] = PROVIDER_BREAKERS.map((name) => createCircuitBreaker({ name, redis: deps.redis, prefix: deps.redisPrefix }));
  app.get(
    '/api/v1/ai/status',
    {
      schema: {
        operationId: 'getAiStatus',
        tags: ['screening'],
        description: 'Whether AI work runs now: provider circuit breakers (open = provider failing, queued work waits and resumes by itself) and the org pause switch.',
        querystring: Type.Object({}, { additionalProperties: false }),
        response: {
          200: Type.Object({
            paused: Type.Boolean(),
            pausedReason: Nullable(Type.String()),
            providers: Type.Array(Breaker),
          }),
          ...ProblemResponses,
        },
      },
      config: { access: { permission: 'applications:read' } },
    },
    async (request) => {
      const ctx = requireCtx(request);
      const settings = await aiSettingsIn(deps.db, ctx.orgId);
      const snapshots = await Promise.all(breakers.map((b) => b.snapshot()));
      return {
        paused: settings.paused,
        pausedReason: settings.paused ? settings.paused_reason : null,
        providers: snapshots.map((s) => ({
          name: s.breaker,
          state: s.state,
          message: message(s),
          consecutiveFailures: s.consecutiveFailures,
          openedAt: s.openedAt,
          retryAt: s.retryAt,
          lastFailureCode: s.lastFailureCode,
          history: s.history.map((h) => ({ from: h.from, to: h.to, reason: h.reason, code: h.code, at: h.at })),
        })),
      };
    },
  );
}
