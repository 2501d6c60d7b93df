import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producers (the app) fail fast when Redis is down, so requests get a 503 instead of
 * hanging; consumers (the worker) wait for Redis with maxRetriesPerRequest: null, as
 * BullMQ requires.
 */
export function createRedis(url: string, role: 'producer' | 'consumer', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: role === 'consumer',
    maxRetriesPerRequest: role === 'consumer' ? null : 1,
    connectTimeout: 5_000,
    ...extra,
  });
}
