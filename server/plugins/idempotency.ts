// Idempotency-Key on POST (issue 20; the IETF httpapi Idempotency-Key draft's semantics).
// Same key + same request → the first response (status and body) replayed; same key with
// another body → 422; while the first is still running → 409.
//
// Kept in Redis, not Postgres: entries are short-lived (24 h, expired by Redis itself),
// written on every keyed POST, and never needed after a restore, so they stay off the
// tenant tables and their audit and backup. Keys are scoped per org and principal (the
// token, else the member), so one caller can never replay another's response.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { canonicalJson, type Json } from '../core/canonical-json.js';
import { BadRequestError, ConflictError, UnprocessableError } from '../core/errors.js';
import { safeEqual } from '../core/tokens.js';

const KEPT_SECONDS = 24 * 3600;
/** A request that has not answered within this long (crashed process) frees its key. */
const IN_FLIGHT_SECONDS = 120;
const MAX_STORED_BYTES = 256 * 1024;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

interface Entry {
  state: 'pending' | 'done';
  hash: string;
  status?: number;
  contentType?: string;
  body?: string;
}

const pending = new WeakMap<FastifyRequest, { redisKey: string; hash: string }>();

export const idempotencyPlugin = fp<{ redis: Redis; redisPrefix: string }>(
  async (app, opts) => {
    app.addHook('preHandler', async (request, reply) => {
      const header = request.headers['idempotency-key'];
      if (request.method !== 'POST' || header === undefined || !request.ctx) return;
      if (typeof header !== 'string' || !KEY_SHAPE.test(header)) throw new BadRequestError({ detail: 'Idempotency-Key must be 1-255 visible ASCII characters.' });
      const type = request.headers['content-type'];
      if (type !== undefined && !/^application\/json\b/i.test(type)) throw new BadRequestError({ detail: 'Idempotency-Key is supported on JSON requests only.' });
      const ctx = request.ctx;
      const principal = ctx.tokenId ? `token:${ctx.tokenId}` : `user:${ctx.userId}`;
      const redisKey = `${opts.redisPrefix}:idem:${ctx.orgId}:${principal}:${createHash('sha256').update(header).digest('hex')}`;
      const hash = createHash('sha256')
        .update(`${request.method} ${request.url}\n${canonicalJson((request.body ?? null) as Json)}`)
        .digest('hex');
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const claimed = await opts.redis.set(redisKey, JSON.stringify({ state: 'pending', hash } satisfies Entry), 'EX', IN_FLIGHT_SECONDS, 'NX');
        if (claimed === 'OK') {
          pending.set(request, { redisKey, hash });
          return;
        }
        const raw = await opts.redis.get(redisKey);
        if (raw === null) continue; // expired in between: claim again
        const entry = JSON.parse(raw) as Entry;
        if (!safeEqual(entry.hash, hash)) throw new UnprocessableError({ detail: 'This Idempotency-Key was used with a different request body.' });
        if (entry.state === 'pending') throw new ConflictError({ title: 'Idempotency Key In Use', detail: 'A request with this Idempotency-Key is still being processed; retry later.' });
        reply.header('idempotency-replayed', 'true');
        if (entry.contentType) reply.header('content-type', entry.contentType);
        return reply.code(entry.status ?? 200).send(entry.body ?? '');
      }
      throw new ConflictError({ title: 'Idempotency Key In Use', detail: 'Retry later.' });
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const claim = pending.get(request);
      if (!claim) return payload;
      pending.delete(request);
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : null;
      // Server errors and bodies we cannot keep free the key, so the client may retry.
      if (reply.statusCode >= 500 || body === null || Buffer.byteLength(body) > MAX_STORED_BYTES) {
        await opts.redis.del(claim.redisKey);
        return payload;
      }
      const contentType = reply.getHeader('content-type');
      const entry: Entry = { state: 'done', hash: claim.hash, status: reply.statusCode, contentType: typeof contentType === 'string' ? contentType : undefined, body };
      await opts.redis.set(claim.redisKey, JSON.stringify(entry), 'EX', KEPT_SECONDS);
      return payload;
    });
  },
  { name: 'hirebox-idempotency', dependencies: ['hirebox-access'] },
);
