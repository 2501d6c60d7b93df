// HTTP for screening: the result of an application's screenings and the org's AI settings
// (pause switch, pinned model, monthly token budget, concurrency); the reads live in queries.ts.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { Type } from 'typebox';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import { requireCtx } from '../../plugins/access.js';
import { ProblemResponses, Uuid } from '../../core/schemas.js';
import { createQueue, QUEUES } from '../../core/queues.js';
import { enqueue, QUEUE_JOBS } from '../../core/queue-jobs.js';
import { createScreeningQueries } from './queries.js';
import { createScreeningOversight, type RescreenQueue } from './oversight.js';
import { oversightRoutes } from './oversight-routes.js';
import type { AlertSink } from '../alerts/index.js';
import { aiStatusRoutes } from './status-routes.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Settings = Type.Object({
  paused: Type.Boolean(),
  pausedReason: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  monthlyTokenBudget: Type.Union([Type.Integer(), Type.Null()]),
  concurrency: Type.Integer(),
  injectionCheck: Type.Boolean({ description: 'A separate prompt-injection detector call per screening (default on).' }),
  tokensUsedThisMonth: Type.Integer(),
  budgetExceeded: Type.Boolean(),
});

const Evidence = Type.Object({ quote: Type.String(), grounded: Type.Boolean(), suspect: Type.Optional(Type.Boolean()) });
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
  /** Producer side of cv-screen for explicit rescreens. */
  redis: Redis;
  redisPrefix: string;
  publicUrl: URL;
  clock?: () => Date;
  /** The process keyring (platform.keyring): keys reach modules only through it. */
  keyring: Keyring;
  rescreenQueue?: RescreenQueue;
  alerts?: Pick<AlertSink, 'noteExport'>;
}

export async function screeningRoutes(fastify: FastifyInstance, deps: ScreeningRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const keyring = deps.keyring;
  const queries = createScreeningQueries({ db: deps.db, audit: deps.audit, keyring, clock: deps.clock });
  let rescreenQueue = deps.rescreenQueue;
  if (!rescreenQueue) {
    const queue = createQueue(QUEUES.cvScreen, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => queue.close());
    rescreenQueue = {
      async enqueue(orgId, applicationId, screeningId) {
        await enqueue(queue, QUEUE_JOBS.cvRescreen, { orgId, applicationId }, { key: { screeningId } });
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
    async (request) => queries.forApplication(requireCtx(request), request.params.id, request.query.reveal),
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
            injectionCheck: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Settings, ...ProblemResponses },
      },
      config: { access: { permission: 'settings:manage' } },
    },
    async (request) => queries.updateSettings(requireCtx(request), request.body),
  );
}
