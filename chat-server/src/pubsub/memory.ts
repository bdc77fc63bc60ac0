import pino, { type Logger } from 'pino';
import { createChannels, DEFAULT_CHANNEL_PREFIX } from './channels.ts';
import { decodeEvent, encodeEvent } from './codec.ts';
import { LocalFanout } from './local-fanout.ts';
import { type PubSub, PubSubError } from './types.ts';

export interface MemoryPubSubOptions {
  prefix?: string;
}

/**
 * In-process pub/sub: the default for a single instance. Delivery is synchronous (publish returns
 * after every handler ran) and never misses anything, so `onResync` never fires.
 */
export function createMemoryPubSub(
  options: MemoryPubSubOptions = {},
  deps: { logger?: Logger } = {},
): PubSub {
  const logger = (deps.logger ?? pino({ level: 'silent' })).child({ component: 'pubsub', impl: 'memory' });
  const channels = createChannels(options.prefix ?? DEFAULT_CHANNEL_PREFIX);
  const fanout = new LocalFanout(logger);
  let closed = false;

  function checkChannel(channel: string): void {
    if (closed) throw new PubSubError('closed', 'pub/sub is closed');
    if (!channels.owns(channel)) {
      throw new PubSubError(
        'invalid_channel',
        `channel ${JSON.stringify(channel)} was not built by pubsub.channels`,
      );
    }
  }

  return {
    channels,
    async publish(channel, event) {
      checkChannel(channel);
      // Decode a fresh copy, as Redis would: the publisher may keep mutating its object.
      const json = encodeEvent(event);
      if (fanout.has(channel)) fanout.deliver(channel, decodeEvent(json));
    },
    async subscribe(channel, handler) {
      checkChannel(channel);
      if (typeof handler !== 'function') throw new TypeError('pub/sub handler must be a function');
      const { subscription } = fanout.add(channel, handler);
      return () => {
        fanout.remove(channel, subscription);
      };
    },
    onResync() {
      return () => {};
    },
    isConnected: () => !closed,
    async close() {
      closed = true;
      fanout.clear();
    },
  };
}
