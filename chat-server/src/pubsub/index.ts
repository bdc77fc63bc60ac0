/**
 * Pub/sub between chat-server instances: in-process by default, Redis when REDIS_URL is set.
 * The core only sees the `PubSub` interface.
 */
import type { Logger } from 'pino';
import { createMemoryPubSub } from './memory.ts';
import { createRedisPubSub } from './redis.ts';
import type { PubSub } from './types.ts';

export { type Channels, createChannels, DEFAULT_CHANNEL_PREFIX } from './channels.ts';
export { createMemoryPubSub, type MemoryPubSubOptions } from './memory.ts';
export { createRedisPubSub, type RedisPubSubOptions } from './redis.ts';
export {
  type PubSub,
  PubSubError,
  type PubSubEvent,
  type PubSubHandler,
  type ResyncReason,
  type Unsubscribe,
} from './types.ts';

export interface PubSubConfig {
  /** REDIS_URL; absent means a single instance with in-process pub/sub. */
  redisUrl?: string | undefined;
  /** Channel prefix, default 'chat:'. */
  prefix?: string | undefined;
  /** Redis 7 sharded pub/sub (SPUBLISH/SSUBSCRIBE). */
  sharded?: boolean | undefined;
}

/** Picks the implementation from config. Rejects with a clear PubSubError when Redis is unreachable at start. */
export async function createPubSub(config: PubSubConfig, deps: { logger?: Logger } = {}): Promise<PubSub> {
  const prefix = config.prefix;
  if (config.redisUrl) {
    return createRedisPubSub(
      { url: config.redisUrl, ...(prefix ? { prefix } : {}), sharded: config.sharded ?? false },
      deps,
    );
  }
  return createMemoryPubSub(prefix ? { prefix } : {}, deps);
}
