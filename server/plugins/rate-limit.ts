// A generous per-IP ceiling on every route, counted in Redis so it holds across app
// processes. Sensitive routes (sign-in, MFA, public apply) set stricter per-route limits.
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '../core/errors.js';

export const rateLimitPlugin = fp<{ redis: Redis; redisPrefix: string; max?: number }>(
  async (app, opts) => {
    await app.register(rateLimit, {
      global: true,
      max: opts.max ?? 600,
      timeWindow: '1 minute',
      redis: opts.redis,
      nameSpace: `${opts.redisPrefix}:rl:`,
      // If Redis is briefly unavailable the global ceiling fails open; per-route limits on
      // credential endpoints decide for themselves.
      skipOnError: true,
      keyGenerator: (request) => request.ip,
      errorResponseBuilder: (_request, context) => new TooManyRequestsError(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  },
  { name: 'hirebox-rate-limit' },
);
