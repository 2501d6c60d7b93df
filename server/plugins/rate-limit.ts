// A generous per-IP ceiling on every route, counted in Redis so it holds across app
// processes. Sensitive routes (sign-in, MFA, public apply) set stricter per-route limits.
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '../core/errors.js';
import type { BearerResolver } from './access.js';

/** Requests per minute per API token, whatever the IP (issue 20). */
export const TOKEN_RATE_LIMIT_PER_MINUTE = 300;

export const rateLimitPlugin = fp<{ redis: Redis; redisPrefix: string; max?: number; bearer?: BearerResolver; tokenMax?: number }>(
  async (app, opts) => {
    await app.register(rateLimit, {
      global: true,
      // Requests with a valid API token count against the token (key `token:<id>`); a bad
      // token, like no token, counts against the IP, so rotating made-up tokens gains nothing.
      max: (_request, key) => (key.startsWith('token:') ? (opts.tokenMax ?? TOKEN_RATE_LIMIT_PER_MINUTE) : (opts.max ?? 600)),
      timeWindow: '1 minute',
      redis: opts.redis,
      nameSpace: `${opts.redisPrefix}:rl:`,
      // If Redis is briefly unavailable the global ceiling fails open; per-route limits on
      // credential endpoints decide for themselves.
      skipOnError: true,
      keyGenerator: async (request) => {
        if (!opts.bearer || request.headers.authorization === undefined) return request.ip;
        const principal = await opts.bearer.resolve(request).catch(() => null);
        return principal ? `token:${principal.tokenId}` : request.ip;
      },
      errorResponseBuilder: (_request, context) => new TooManyRequestsError(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  },
  { name: 'hirebox-rate-limit' },
);
