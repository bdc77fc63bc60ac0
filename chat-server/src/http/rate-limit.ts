/**
 * Per-key (usually per-IP) rate limits with rate-limiter-flexible. In memory by default, which
 * limits per instance; with a Redis URL the count is shared by every instance, so scaling out does
 * not multiply the allowance. If Redis is down, an in-memory limiter takes over (the
 * "insurance limiter"): limits stay on, only per instance, and requests never fail because of it.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../logger.ts';

export interface RateLimitOptions {
  /** Distinguishes this limit's keys from other limits' in a shared Redis. */
  keyPrefix: string;
  /** Requests allowed per window. */
  points: number;
  windowSeconds: number;
  /** Redis to share counts across instances; the limiter opens and owns its own connection. */
  redisUrl?: string;
  log?: Logger;
}

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request for `key`; says whether it is allowed and, if not, when to retry. */
  consume(key: string): Promise<RateLimitVerdict>;
  /** Closes the Redis connection, if any. */
  close(): Promise<void>;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const base = { keyPrefix: options.keyPrefix, points: options.points, duration: options.windowSeconds };
  const memory = new RateLimiterMemory(base);
  let redis: Redis | undefined;
  let limiter: RateLimiterMemory | RateLimiterRedis = memory;

  if (options.redisUrl) {
    const log = options.log;
    let down = false;
    redis = new Redis(options.redisUrl, {
      // Fail over to memory at once instead of queueing requests while Redis is away.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
      connectionName: `chat-ratelimit-${options.keyPrefix}`,
    });
    redis.on('error', (error: Error) => {
      if (!down)
        log?.warn(
          { err: error, limiter: options.keyPrefix },
          'rate-limit Redis unavailable; limiting per instance',
        );
      down = true;
    });
    redis.on('ready', () => {
      if (down) log?.info({ limiter: options.keyPrefix }, 'rate-limit Redis back');
      down = false;
    });
    limiter = new RateLimiterRedis({
      ...base,
      storeClient: redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(base),
    });
  }

  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (rejection) {
        // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error otherwise.
        if (rejection instanceof RateLimiterRes) {
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        }
        options.log?.warn(
          { err: rejection, limiter: options.keyPrefix },
          'rate limiter failed; allowing the request',
        );
        return { allowed: true };
      }
    },
    async close() {
      if (!redis) return;
      await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
