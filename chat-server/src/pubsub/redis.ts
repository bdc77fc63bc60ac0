import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { createChannels, DEFAULT_CHANNEL_PREFIX } from './channels.ts';
import { decodeEvent, encodeEvent, unwrap, wrap } from './codec.ts';
import { LocalFanout } from './local-fanout.ts';
import { type PubSub, PubSubError, type ResyncReason } from './types.ts';

export interface RedisPubSubOptions {
  /** redis:// or rediss:// URL (REDIS_URL). */
  url: string;
  prefix?: string;
  /** Use Redis 7 sharded pub/sub (SPUBLISH/SSUBSCRIBE), which scales with a Redis Cluster. */
  sharded?: boolean;
  /** Identifies this node's messages so it can drop their echo. Random by default. */
  nodeId?: string;
  /** How long the factory waits for the first connection before failing. */
  connectTimeoutMs?: number;
}

// Sent on the control channel by a node whose publishes failed while Redis was unreachable.
const RESYNC_REQUEST = '{"kind":"resync"}';

/**
 * Redis pub/sub across instances.
 *
 * Design choices (see also the PubSub interface):
 * - Local first, echo ignored (as socket.io-redis-adapter does): publish delivers to this node's
 *   handlers at once, then PUBLISHes `<nodeId> <json>`; the echo that comes back is dropped with a
 *   prefix check. Same-node recipients pay no Redis round trip and keep working while Redis is down.
 *   Per channel, events from one publisher arrive everywhere in publish order (one connection,
 *   pipelined in order). Events from DIFFERENT nodes may interleave differently on different nodes;
 *   messages carry their Postgres seq, which is the order that counts.
 * - Nothing queues while Redis is down (`enableOfflineQueue: false`, `maxRetriesPerRequest: 0`):
 *   publish rejects at once with code 'unavailable', so memory stays bounded during an outage. The
 *   message is already in Postgres; once the publisher is back it asks every node to resync.
 * - We resubscribe ourselves instead of using ioredis `autoResubscribe`, because the core must
 *   re-read Postgres only AFTER the subscription is live again (otherwise an event published
 *   between the re-read and the resubscribe would be lost). Our handler map is the source of truth.
 */
export async function createRedisPubSub(
  options: RedisPubSubOptions,
  deps: { logger?: Logger } = {},
): Promise<PubSub> {
  const nodeId = options.nodeId ?? randomUUID();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(nodeId)) {
    throw new TypeError('pub/sub nodeId must be 1-64 characters of letters, digits, "-" or "_"');
  }
  const sharded = options.sharded ?? false;
  const channels = createChannels(options.prefix ?? DEFAULT_CHANNEL_PREFIX);
  const controlChannel = `${channels.prefix}pubsub:control`;
  const echoPrefix = `${nodeId} `;
  const logger = (deps.logger ?? pino({ level: 'silent' })).child({
    component: 'pubsub',
    impl: 'redis',
    nodeId,
  });
  const fanout = new LocalFanout(logger);
  const resyncCallbacks = new Set<(reason: ResyncReason) => void>();
  const pending = new Map<string, Promise<void>>();
  let closed = false;
  let publishFailedSinceReady = false;

  const connectionOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    // Back off up to 1 s: reconnecting fast matters more here than sparing an unreachable server.
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
  };
  const pub = new Redis(options.url, { ...connectionOptions, connectionName: `chat-pub-${nodeId}` });
  const sub = new Redis(options.url, { ...connectionOptions, connectionName: `chat-sub-${nodeId}` });
  watchConnection(pub, 'publisher', logger, () => closed);
  watchConnection(sub, 'subscriber', logger, () => closed);

  const subscribeCmd = (channel: string) => (sharded ? sub.ssubscribe(channel) : sub.subscribe(channel));
  const unsubscribeCmd = (channel: string) =>
    sharded ? sub.sunsubscribe(channel) : sub.unsubscribe(channel);
  const publishCmd = (channel: string, message: string) => {
    corkUntilTickEnds();
    return sharded ? pub.spublish(channel, message) : pub.publish(channel, message);
  };

  /**
   * Publishes issued in the same tick leave in one socket write (still one PUBLISH per event):
   * the publisher's socket is corked until the tick ends. Under load that is one syscall per
   * burst instead of one per message; alone, a publish still leaves before the event loop moves
   * on. (ioredis's own auto-pipelining waits for setImmediate and builds a Pipeline object per
   * tick, which measured slower at low rates.)
   */
  let corked = false;
  function corkUntilTickEnds(): void {
    const stream = (pub as unknown as { stream?: { cork?: () => void; uncork?: () => void } }).stream;
    if (corked || !stream?.cork || !stream.uncork) return;
    stream.cork();
    corked = true;
    process.nextTick(() => {
      corked = false;
      stream.uncork?.();
    });
  }

  function fireResync(reason: ResyncReason): void {
    logger.info(
      { reason, channels: fanout.channels().length },
      'pub/sub resync: events may have been missed',
    );
    for (const callback of [...resyncCallbacks]) {
      try {
        callback(reason);
      } catch (err) {
        logger.error({ err, reason }, 'pub/sub resync callback failed');
      }
    }
  }

  function onMessage(channel: string, message: string): void {
    if (message.startsWith(echoPrefix)) return; // already delivered locally at publish time
    let event: ReturnType<typeof decodeEvent>;
    try {
      const { json } = unwrap(message);
      if (channel === controlChannel) {
        if (json === RESYNC_REQUEST) fireResync('peer-publish-failed');
        return;
      }
      event = decodeEvent(json);
    } catch (err) {
      logger.warn({ err, channel, bytes: message.length }, 'dropping undecodable pub/sub message');
      return;
    }
    fanout.deliver(channel, event);
  }
  sub.on(sharded ? 'smessage' : 'message', onMessage);

  // Resolves when the upstream subscription is confirmed, or at once when the subscriber is down:
  // the resubscribe after reconnect picks the channel up from the handler map and fires resync.
  async function upstreamSubscribe(channel: string): Promise<void> {
    if (sub.status !== 'ready') return;
    try {
      await subscribeCmd(channel);
    } catch (err) {
      logger.warn({ err, channel }, 'subscribe failed; will resubscribe after reconnect');
    }
  }

  function upstreamUnsubscribe(channel: string): void {
    if (sub.status !== 'ready') return; // a fresh connection is subscribed to nothing
    unsubscribeCmd(channel).catch((err: unknown) => logger.warn({ err, channel }, 'unsubscribe failed'));
  }

  async function resubscribeAll(): Promise<void> {
    const all = [controlChannel, ...fanout.channels()];
    try {
      if (sharded) await Promise.all(all.map((channel) => sub.ssubscribe(channel)));
      else await sub.subscribe(...all);
    } catch (err) {
      // The connection dropped again; the next 'ready' retries.
      logger.warn({ err }, 'resubscribe failed; retrying on next reconnect');
      return;
    }
    if (!closed) fireResync('reconnected');
  }

  try {
    await connectBoth(pub, sub, options.connectTimeoutMs ?? 5000);
    await (sharded ? sub.ssubscribe(controlChannel) : sub.subscribe(controlChannel));
  } catch (cause) {
    pub.disconnect();
    sub.disconnect();
    throw new PubSubError(
      'unavailable',
      `cannot reach Redis at ${redactUrl(options.url)}: ${String(cause)}`,
      {
        cause,
      },
    );
  }
  // Registered after the first connection so only REconnections trigger resubscribe/resync.
  sub.on('ready', () => {
    void resubscribeAll();
  });
  pub.on('ready', () => {
    if (!publishFailedSinceReady) return;
    publishFailedSinceReady = false;
    publishCmd(controlChannel, wrap(nodeId, RESYNC_REQUEST)).catch((err: unknown) => {
      publishFailedSinceReady = true;
      logger.warn({ err }, 'could not ask peers to resync; retrying on next reconnect');
    });
  });

  function checkUsable(channel: string): void {
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
      checkUsable(channel);
      const json = encodeEvent(event);
      // Decode a private copy only when someone here listens (the publisher may mutate its object).
      if (fanout.has(channel)) fanout.deliver(channel, decodeEvent(json));
      try {
        await publishCmd(channel, wrap(nodeId, json));
      } catch (cause) {
        if (closed) throw new PubSubError('closed', 'pub/sub closed while publishing', { cause });
        publishFailedSinceReady = true;
        throw new PubSubError('unavailable', `publish to Redis failed: ${String(cause)}`, { cause });
      }
    },
    async subscribe(channel, handler) {
      checkUsable(channel);
      if (typeof handler !== 'function') throw new TypeError('pub/sub handler must be a function');
      const { subscription, first } = fanout.add(channel, handler);
      if (first) {
        const live = upstreamSubscribe(channel).finally(() => {
          if (pending.get(channel) === live) pending.delete(channel);
        });
        pending.set(channel, live);
      }
      // A second handler on a channel whose SUBSCRIBE is still in flight waits for the same reply.
      await pending.get(channel);
      return () => {
        if (fanout.remove(channel, subscription) && !closed) upstreamUnsubscribe(channel);
      };
    },
    onResync(callback) {
      resyncCallbacks.add(callback);
      return () => {
        resyncCallbacks.delete(callback);
      };
    },
    isConnected: () => !closed && pub.status === 'ready' && sub.status === 'ready',
    async close() {
      if (closed) return;
      closed = true;
      fanout.clear();
      resyncCallbacks.clear();
      await Promise.all([closeConnection(pub), closeConnection(sub)]);
    },
  };
}

async function connectBoth(pub: Redis, sub: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all([pub.connect(), sub.connect()]), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** QUIT when connected (lets in-flight replies arrive); otherwise stop reconnecting right away. */
async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    try {
      await connection.quit();
      return;
    } catch {
      // The connection died during QUIT: fall through and make sure it stays down.
    }
  }
  connection.disconnect();
}

/** Logs each outage once (ioredis emits an error per reconnect attempt). */
function watchConnection(connection: Redis, role: string, logger: Logger, isClosed: () => boolean): void {
  let down = false;
  connection.on('error', (err: Error) => {
    if (down || isClosed()) return;
    down = true;
    logger.warn({ err, role }, 'Redis connection error; reconnecting');
  });
  connection.on('close', () => {
    if (!down && !isClosed()) logger.warn({ role }, 'Redis connection closed; reconnecting');
    down = true;
  });
  connection.on('ready', () => {
    if (down) logger.info({ role }, 'Redis connection back');
    down = false;
  });
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
