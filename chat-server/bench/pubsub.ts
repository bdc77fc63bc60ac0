/**
 * Pub/sub throughput through Redis: our PubSub (node A -> node B) beside raw ioredis
 * PUBLISH/SUBSCRIBE, in the same run against the same throwaway redis-server.
 *
 *   npx tsx chat-server/bench/pubsub.ts [messages=50000] [window=1000]
 *
 * `window` bounds publishes in flight, like a server handling many sockets at once.
 */
import { Redis } from 'ioredis';
import { createRedisPubSub } from '../src/pubsub/index.ts';
import { startRedisServer } from '../test/helpers/redis-server.ts';

const total = Number(process.argv[2] ?? 50_000);
const window = Number(process.argv[3] ?? 1000);
const payload = { type: 'message', conversationId: 'c1', seq: 0, body: 'x'.repeat(120), sentAt: '' };

async function pump(publish: (i: number) => Promise<unknown>, received: () => number): Promise<number> {
  const started = process.hrtime.bigint();
  let inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    inFlight.push(publish(i));
    if (inFlight.length >= window) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  while (received() < total) await new Promise((resolve) => setImmediate(resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return total / seconds;
}

async function raw(url: string): Promise<number> {
  const pub = new Redis(url);
  const sub = new Redis(url);
  let received = 0;
  sub.on('message', (_channel: string, message: string) => {
    JSON.parse(message);
    received++;
  });
  await sub.subscribe('raw:c1');
  const rate = await pump(
    (i) => pub.publish('raw:c1', JSON.stringify({ ...payload, seq: i })),
    () => received,
  );
  await Promise.all([pub.quit(), sub.quit()]);
  return rate;
}

async function ours(url: string): Promise<number> {
  const a = await createRedisPubSub({ url, prefix: 'bench:' });
  const b = await createRedisPubSub({ url, prefix: 'bench:' });
  const channel = a.channels.conversation('org1', 'c1');
  let received = 0;
  await b.subscribe(channel, () => {
    received++;
  });
  const rate = await pump(
    (i) => a.publish(channel, { ...payload, seq: i }),
    () => received,
  );
  await Promise.all([a.close(), b.close()]);
  return rate;
}

const redis = await startRedisServer();
try {
  // Warm up both paths (JIT, connections), then measure alternately.
  await raw(redis.url);
  await ours(redis.url);
  const rawRate = await raw(redis.url);
  const ourRate = await ours(redis.url);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  process.stdout.write(
    `${total} messages, window ${window}\n` +
      `raw ioredis publish/subscribe: ${fmt(rawRate)} msg/s\n` +
      `PubSub (Redis, node A -> B):   ${fmt(ourRate)} msg/s (${((ourRate / rawRate) * 100).toFixed(0)}% of raw)\n`,
  );
} finally {
  await redis.stop();
}
