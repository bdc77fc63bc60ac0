import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPubSub, createRedisPubSub, type PubSub, type ResyncReason } from '../src/pubsub/index.ts';
import { type RedisServer, startRedisServer } from './helpers/redis-server.ts';
import {
  collector,
  describePubSubContract,
  logCapture,
  resourceCounts,
  settle,
  waitUntil,
} from './pubsub.contract.ts';

// One real redis-server for the whole file; each group of nodes gets its own prefix so tests never
// hear each other's traffic.
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

function redisFactory(sharded: boolean) {
  return {
    async createNodes(count: number, deps?: { logger?: pino.Logger }) {
      const prefix = `t${randomUUID().slice(0, 8)}:`;
      return Promise.all(
        Array.from({ length: count }, () => createRedisPubSub({ url: redis.url, prefix, sharded }, deps)),
      );
    },
  };
}

describePubSubContract('Redis', redisFactory(false));
describePubSubContract('Redis, sharded (SPUBLISH/SSUBSCRIBE)', redisFactory(true));

describe('Redis pub/sub across nodes', () => {
  const opened: PubSub[] = [];
  const admins: Redis[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
    await Promise.all(admins.splice(0).map((r) => r.quit()));
  });
  async function nodes(count: number, options: { sharded?: boolean; logger?: pino.Logger } = {}) {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const created = await Promise.all(
      Array.from({ length: count }, () =>
        createRedisPubSub(
          { url: redis.url, prefix, sharded: options.sharded ?? false },
          options.logger ? { logger: options.logger } : {},
        ),
      ),
    );
    opened.push(...created);
    return created;
  }
  function admin(): Redis {
    const client = new Redis(redis.url);
    admins.push(client);
    return client;
  }

  it("two nodes each see the other's events exactly once", async () => {
    const [a, b] = (await nodes(2)) as [PubSub, PubSub];
    const channel = a.channels.conversation('org1', 'conv1');
    const onA = collector();
    const onB = collector();
    await a.subscribe(channel, onA.handler);
    await b.subscribe(channel, onB.handler);
    for (let i = 1; i <= 50; i++) {
      await a.publish(channel, { from: 'a', i });
      await b.publish(channel, { from: 'b', i });
    }
    await onA.waitFor(100);
    await onB.waitFor(100);
    await settle(100);
    for (const got of [onA, onB]) {
      expect(got.events).toHaveLength(100);
      const keys = got.events.map((e) => `${e.from}${e.i}`);
      expect(new Set(keys).size).toBe(100);
      // Per publisher, order is kept.
      expect(got.events.filter((e) => e.from === 'a').map((e) => e.i)).toEqual(range(50));
      expect(got.events.filter((e) => e.from === 'b').map((e) => e.i)).toEqual(range(50));
    }
  });

  for (const sharded of [false, true]) {
    const command = sharded ? 'spublish' : 'publish';
    it(`sends one ${command.toUpperCase()} per event and one subscription per channel, however many listen`, async () => {
      const all = await nodes(3, { sharded });
      const [a] = all as [PubSub];
      const channel = a.channels.conversation('org1', 'fanout');
      const counters = all.map(() => collector());
      const stats = admin();
      await stats.config('RESETSTAT');
      // Five handlers per node: fifteen recipients, but one upstream subscription per node.
      const unsubscribes = await Promise.all(
        all.flatMap((node, i) =>
          Array.from({ length: 5 }, () => node.subscribe(channel, counters[i]!.handler)),
        ),
      );
      const subscribeCommand = sharded ? 'ssubscribe' : 'subscribe';
      expect(callsOf(await stats.info('commandstats'), subscribeCommand)).toBe(3);
      const numsub = (await stats.call('pubsub', sharded ? 'shardnumsub' : 'numsub', channel)) as [
        string,
        number,
      ];
      expect(numsub[1]).toBe(3);

      await stats.config('RESETSTAT');
      for (let i = 1; i <= 20; i++) await a.publish(channel, { i });
      for (const got of counters) await got.waitFor(100);
      const info = await stats.info('commandstats');
      expect(callsOf(info, command)).toBe(20);
      expect(callsOf(info, sharded ? 'publish' : 'spublish')).toBe(0);
      await settle(100);
      expect(counters.map((c) => c.events.length)).toEqual([100, 100, 100]);

      // Node a's five handlers leave: exactly one UNSUBSCRIBE, sent with the last one.
      await stats.config('RESETSTAT');
      for (const unsubscribe of unsubscribes.slice(0, 4)) unsubscribe();
      await settle();
      expect(callsOf(await stats.info('commandstats'), `${sharded ? 's' : ''}unsubscribe`)).toBe(0);
      unsubscribes[4]!();
      await settle();
      expect(callsOf(await stats.info('commandstats'), `${sharded ? 's' : ''}unsubscribe`)).toBe(1);
    });
  }

  it('logs and drops a message it cannot decode, then carries on', async () => {
    const logs = logCapture();
    const [a, b] = (await nodes(2, { logger: logs.logger })) as [PubSub, PubSub];
    const channel = a.channels.org('org1');
    const got = collector();
    await b.subscribe(channel, got.handler);
    const raw = admin();
    await raw.publish(channel, 'not-a-node-id-and-no-space');
    await raw.publish(channel, 'node1 {not json');
    await raw.publish(channel, 'node1 [1,2]');
    await a.publish(channel, { ok: true });
    await got.waitFor(1);
    await settle();
    expect(got.events).toEqual([{ ok: true }]);
    const dropped = logs.warnings().filter((l) => l.msg === 'dropping undecodable pub/sub message');
    expect(dropped).toHaveLength(3);
    expect(dropped[0]).toMatchObject({ channel });
  });

  it('does not hear a deployment with another prefix on the same Redis', async () => {
    const [a] = (await nodes(1)) as [PubSub];
    const [other] = (await nodes(1)) as [PubSub];
    const got = collector();
    await other.subscribe(other.channels.org('org1'), got.handler);
    await a.publish(a.channels.org('org1'), { n: 1 });
    await other.publish(other.channels.org('probe'), { n: 0 }); // round trip through Redis
    await settle(100);
    expect(a.channels.org('org1')).not.toBe(other.channels.org('org1'));
    expect(got.events).toEqual([]);
  });

  it('asks peers to resync when its own publish failed while its Redis connection was down', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const a = await createRedisPubSub({ url: redis.url, prefix, nodeId: 'node-a' });
    const b = await createRedisPubSub({ url: redis.url, prefix, nodeId: 'node-b' });
    opened.push(a, b);
    const channel = a.channels.conversation('org1', 'blip');
    const reasons: ResyncReason[] = [];
    b.onResync((reason) => reasons.push(reason));
    const local = collector();
    await a.subscribe(channel, local.handler);
    await b.subscribe(channel, () => {});

    // Kill only a's publisher connection: b's subscriber never notices anything.
    const clients = (await admin().client('LIST')) as string;
    const id = /id=(\d+) .*name=chat-pub-node-a /.exec(clients)?.[1];
    expect(id).toBeDefined();
    await admin().client('KILL', 'ID', id!);
    let failure: unknown;
    for (let i = 1; i <= 100 && failure === undefined; i++) {
      await a.publish(channel, { i }).catch((err: unknown) => {
        failure = err;
      });
    }
    expect(failure).toMatchObject({ name: 'PubSubError', code: 'unavailable' });
    // Local handlers were served even for the failed publish...
    expect(local.events.length).toBeGreaterThan(0);
    // ...and once a's publisher is back, b is told to re-read from Postgres.
    await waitUntil(
      () => reasons.includes('peer-publish-failed'),
      5000,
      () => `reasons: ${reasons}`,
    );
    expect(reasons).not.toContain('reconnected');
  });

  it('refuses to start with a clear error when Redis is unreachable, leaving nothing behind', async () => {
    const deadPort = redis.port === 1 ? 2 : 1; // port 1 is never listening here
    await settle(200); // let the previous test's connections finish closing
    const before = resourceCounts();
    const started = Date.now();
    await expect(
      createRedisPubSub({ url: `redis://:secret@127.0.0.1:${deadPort}`, connectTimeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/),
    });
    expect(Date.now() - started).toBeLessThan(3000);
    await waitUntil(() => {
      const now = resourceCounts();
      return now.TCPSocketWrap <= before.TCPSocketWrap && now.Timeout <= before.Timeout;
    }, 2000).catch(() => {});
    const after = resourceCounts();
    expect(after.TCPSocketWrap).toBeLessThanOrEqual(before.TCPSocketWrap);
    expect(after.Timeout).toBeLessThanOrEqual(before.Timeout);
  });

  it('createPubSub picks Redis when a URL is configured', async () => {
    const [a] = (await nodes(1)) as [PubSub];
    const b = await createPubSub({ redisUrl: redis.url, prefix: a.channels.prefix });
    opened.push(b);
    const got = collector();
    await b.subscribe(b.channels.org('o1'), got.handler);
    await a.publish(a.channels.org('o1'), { n: 1 });
    await got.waitFor(1); // only reachable through Redis: a and b are separate instances
    expect(b.isConnected()).toBe(true);
  });
});

describe('Redis restart', () => {
  // Its own server: restarting the shared one would disturb the other tests.
  let server: RedisServer;
  const opened: PubSub[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
    await server?.stop();
  });

  for (const sharded of [false, true]) {
    it(`reconnects, resubscribes, fires onResync, then delivers new events${sharded ? ' (sharded)' : ''}`, async () => {
      const prefix = `r${randomUUID().slice(0, 8)}:`;
      const [a, b] = await Promise.all([
        createRedisPubSub({ url: server.url, prefix, sharded }),
        createRedisPubSub({ url: server.url, prefix, sharded }),
      ]);
      opened.push(a, b);
      const channel = a.channels.conversation('org1', 'restart');
      const resyncs = { a: [] as ResyncReason[], b: [] as ResyncReason[] };
      a.onResync((r) => resyncs.a.push(r));
      b.onResync((r) => resyncs.b.push(r));
      const onA = collector();
      const onB = collector();
      await a.subscribe(channel, onA.handler);
      await b.subscribe(channel, onB.handler);
      await a.publish(channel, { n: 1 });
      await onB.waitFor(1);

      const restarting = server.restart();
      await waitUntil(() => !b.isConnected(), 5000);
      // Subscribing during the outage resolves at once; the resubscribe after reconnect covers it.
      const late = collector();
      const lateChannel = a.channels.conversation('org1', 'joined-while-down');
      await b.subscribe(lateChannel, late.handler);
      await restarting;
      await waitUntil(
        () => resyncs.a.length > 0 && resyncs.b.length > 0,
        10_000,
        () => JSON.stringify(resyncs),
      );
      expect(resyncs.a).toContain('reconnected');
      expect(resyncs.b).toContain('reconnected');
      // The publisher connections reconnect on their own schedule; resync only speaks for the subscriber.
      await waitUntil(() => a.isConnected() && b.isConnected(), 5000);

      // The fresh server knows nothing: only a real resubscribe makes these arrive.
      // (Waiting in between: b delivers its own event locally at once, so a's could arrive after it.)
      await a.publish(channel, { n: 2 });
      await onB.waitFor(2);
      await b.publish(channel, { n: 3 });
      await onA.waitFor(3);
      expect(onB.events.map((e) => e.n)).toEqual([1, 2, 3]);
      expect(onA.events.map((e) => e.n)).toEqual([1, 2, 3]);
      await a.publish(lateChannel, { n: 4 });
      await late.waitFor(1);
      expect(late.events).toEqual([{ n: 4 }]);
    });
  }

  it('rejects publish at once while Redis is down, and serves local handlers anyway', async () => {
    const prefix = `d${randomUUID().slice(0, 8)}:`;
    const a = await createRedisPubSub({ url: server.url, prefix });
    opened.push(a);
    const channel = a.channels.org('down');
    const local = collector();
    await a.subscribe(channel, local.handler);
    const restarting = server.restart();
    await waitUntil(() => !a.isConnected(), 5000);
    const started = Date.now();
    // ioredis waits at least 50 ms before reconnecting, so this publish runs while the link is down.
    const failure = await a.publish(channel, { n: 1 }).catch((err: unknown) => err);
    expect(Date.now() - started).toBeLessThan(500);
    await restarting;
    expect(failure).toMatchObject({ code: 'unavailable' });
    expect(local.events).toEqual([{ n: 1 }]);
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

function callsOf(commandstats: string, command: string): number {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(commandstats);
  return match ? Number(match[1]) : 0;
}
