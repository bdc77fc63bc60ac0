import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type PubSub, PubSubError, type PubSubEvent } from '../src/pubsub/index.ts';

/**
 * The behaviour every PubSub implementation must share (socket.io-redis-adapter style).
 * `createNodes(n)` returns n instances that talk to each other: for the in-process implementation
 * that is one instance n times; for Redis, n separate instances (n "nodes"). Tests publish on one
 * node and listen on another, so the Redis run exercises the real network path.
 */
export interface PubSubFactory {
  createNodes(count: number, deps?: { logger?: pino.Logger }): Promise<PubSub[]>;
}

export function describePubSubContract(name: string, factory: PubSubFactory): void {
  describe(`PubSub contract: ${name}`, () => {
    const opened: PubSub[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((p) => p.close()));
    });
    async function nodes(count: number, deps?: { logger?: pino.Logger }): Promise<PubSub[]> {
      const created = await factory.createNodes(count, deps);
      opened.push(...created);
      return created;
    }
    async function pair(deps?: { logger?: pino.Logger }): Promise<[PubSub, PubSub]> {
      const [a, b] = await nodes(2, deps);
      return [a!, b!];
    }

    it('delivers a published event to a subscriber, as an equal copy', async () => {
      const [a, b] = await pair();
      const channel = a.channels.conversation('org1', 'conv1');
      const got = collector();
      await b.subscribe(channel, got.handler);
      const event = { type: 'message', seq: 1, body: 'hello', at: new Date(0) };
      await a.publish(channel, event);
      await got.waitFor(1);
      expect(got.events).toEqual([
        { type: 'message', seq: 1, body: 'hello', at: '1970-01-01T00:00:00.000Z' },
      ]);
      expect(got.channels).toEqual([channel]);
      expect(got.events[0]).not.toBe(event);
    });

    it("delivers a node's own event to its own handlers exactly once", async () => {
      const [a, b] = await pair();
      const channel = a.channels.org('org1');
      const own = collector();
      const other = collector();
      await a.subscribe(channel, own.handler);
      await b.subscribe(channel, other.handler);
      for (let seq = 1; seq <= 3; seq++) await a.publish(channel, { seq });
      await other.waitFor(3);
      // The other node saw everything, so any echo back to `a` would have arrived by now too.
      await settle();
      expect(own.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    });

    it('keeps channels apart', async () => {
      const [a, b] = await pair();
      const one = a.channels.conversation('org1', 'c1');
      const two = a.channels.conversation('org1', 'c2');
      const gotOne = collector();
      const gotTwo = collector();
      await b.subscribe(one, gotOne.handler);
      await b.subscribe(two, gotTwo.handler);
      await a.publish(one, { n: 1 });
      await gotOne.waitFor(1);
      await a.publish(two, { n: 2 });
      await gotTwo.waitFor(1);
      await settle();
      expect(gotOne.events).toEqual([{ n: 1 }]);
      expect(gotTwo.events).toEqual([{ n: 2 }]);
    });

    it('stops delivering after unsubscribe, and unsubscribing twice is harmless', async () => {
      const [a, b] = await pair();
      const channel = a.channels.agent('u1');
      const probe = a.channels.agent('probe');
      const got = collector();
      const probed = collector();
      const unsubscribe = await b.subscribe(channel, got.handler);
      await b.subscribe(probe, probed.handler);
      await a.publish(channel, { n: 1 });
      await got.waitFor(1);
      unsubscribe();
      unsubscribe();
      await settle(); // let the upstream UNSUBSCRIBE land before publishing again
      await a.publish(channel, { n: 2 });
      // Same publisher, same subscriber connection: once the probe arrives, n:2 would have too.
      await a.publish(probe, { done: true });
      await probed.waitFor(1);
      await settle();
      expect(got.events).toEqual([{ n: 1 }]);
    });

    it('counts references: one handler leaving does not silence another on the same channel', async () => {
      const [a, b] = await pair();
      const channel = a.channels.conversation('org1', 'shared');
      const first = collector();
      const second = collector();
      const unsubscribeFirst = await b.subscribe(channel, first.handler);
      await b.subscribe(channel, second.handler);
      // The same function subscribed twice is two subscriptions.
      const dup = collector();
      const unsubscribeDup1 = await b.subscribe(channel, dup.handler);
      await b.subscribe(channel, dup.handler);
      unsubscribeFirst();
      unsubscribeDup1();
      await settle();
      await a.publish(channel, { n: 1 });
      await second.waitFor(1);
      await dup.waitFor(1);
      await settle();
      expect(first.events).toEqual([]);
      expect(second.events).toEqual([{ n: 1 }]);
      expect(dup.events).toEqual([{ n: 1 }]);
    });

    it('delivers again after every handler left and a new one joined', async () => {
      const [a, b] = await pair();
      const channel = a.channels.org('again');
      const unsubscribe = await b.subscribe(channel, () => {});
      unsubscribe();
      const got = collector();
      await b.subscribe(channel, got.handler);
      await a.publish(channel, { n: 1 });
      await got.waitFor(1);
      expect(got.events).toEqual([{ n: 1 }]);
    });

    it('keeps the order of 1,000 events on one channel from one publisher', async () => {
      const [a, b] = await pair();
      const channel = a.channels.conversation('org1', 'busy');
      const remote = collector();
      const local = collector();
      await b.subscribe(channel, remote.handler);
      await a.subscribe(channel, local.handler);
      // Fire without awaiting each one: ordering must not depend on the caller pacing itself.
      const sent = Array.from({ length: 1000 }, (_, i) => a.publish(channel, { seq: i + 1 }));
      await Promise.all(sent);
      await remote.waitFor(1000);
      const expected = Array.from({ length: 1000 }, (_, i) => i + 1);
      expect(remote.events.map((e) => e.seq)).toEqual(expected);
      expect(local.events.map((e) => e.seq)).toEqual(expected);
    });

    it('delivers events published from inside a handler after the current one', async () => {
      const [a] = await nodes(1);
      const channel = a!.channels.org('reentrant');
      const seen: string[] = [];
      await a!.subscribe(channel, (event) => {
        seen.push(`first:${event.n}`);
        if (event.n === 1) void a!.publish(channel, { n: 2 });
      });
      await a!.subscribe(channel, (event) => {
        seen.push(`second:${event.n}`);
      });
      await a!.publish(channel, { n: 1 });
      await waitUntil(() => seen.length === 4);
      expect(seen).toEqual(['first:1', 'second:1', 'first:2', 'second:2']);
    });

    it('logs a throwing or rejecting handler and still serves the others', async () => {
      const logs = logCapture();
      const [a, b] = await pair({ logger: logs.logger });
      const channel = a.channels.conversation('org1', 'faulty');
      const before = collector();
      const after = collector();
      await b.subscribe(channel, before.handler);
      await b.subscribe(channel, () => {
        throw new Error('boom');
      });
      await b.subscribe(channel, async () => {
        throw new Error('async boom');
      });
      await b.subscribe(channel, after.handler);
      await a.publish(channel, { type: 'message', n: 1 });
      await a.publish(channel, { type: 'message', n: 2 });
      await after.waitFor(2);
      expect(before.events.map((e) => e.n)).toEqual([1, 2]);
      expect(after.events.map((e) => e.n)).toEqual([1, 2]);
      await waitUntil(() => logs.errors().length === 4);
      expect(logs.errors().map((l) => l.err?.message)).toEqual(
        expect.arrayContaining(['boom', 'async boom', 'boom', 'async boom']),
      );
      expect(logs.errors()[0]).toMatchObject({ channel, eventType: 'message' });
    });

    it('rejects events that are not JSON objects, and channels not built by its helpers', async () => {
      const [a] = await nodes(1);
      const channel = a!.channels.org('org1');
      for (const bad of [null, 'text', 42, [1, 2], { big: 1n }]) {
        await expect(a!.publish(channel, bad as unknown as PubSubEvent)).rejects.toMatchObject({
          name: 'PubSubError',
          code: 'invalid_event',
        });
      }
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(a!.publish(channel, circular)).rejects.toMatchObject({ code: 'invalid_event' });
      await expect(a!.publish('somewhere-else', { n: 1 })).rejects.toMatchObject({ code: 'invalid_channel' });
      await expect(a!.subscribe('', () => {})).rejects.toBeInstanceOf(PubSubError);
      await expect(a!.subscribe(channel, 'nope' as never)).rejects.toThrow(/handler must be a function/);
      expect(() => a!.channels.conversation('org1', 'a:b')).toThrow(/conversationId/);
      expect(() => a!.channels.org('')).toThrow(/orgId/);
    });

    it('closes cleanly: no sockets or timers left, later calls fail clearly, close is idempotent', async () => {
      const before = resourceCounts();
      const created = await factory.createNodes(2);
      const [a, b] = created as [PubSub, PubSub];
      const channel = a.channels.org('closing');
      const got = collector();
      await b.subscribe(channel, got.handler);
      await a.publish(channel, { n: 1 });
      await got.waitFor(1);
      await Promise.all([a.close(), b.close()]);
      await a.close();
      expect(a.isConnected()).toBe(false);
      await expect(a.publish(channel, { n: 2 })).rejects.toMatchObject({ code: 'closed' });
      await expect(b.subscribe(channel, () => {})).rejects.toMatchObject({ code: 'closed' });
      await waitUntil(() => {
        const after = resourceCounts();
        return after.TCPSocketWrap <= before.TCPSocketWrap && after.Timeout <= before.Timeout;
      }, 2000).catch(() => {});
      const after = resourceCounts();
      expect(after.TCPSocketWrap).toBeLessThanOrEqual(before.TCPSocketWrap);
      expect(after.Timeout).toBeLessThanOrEqual(before.Timeout);
    });
  });
}

/* ---------------------------------------------------------------- helpers */

export function collector() {
  const events: PubSubEvent[] = [];
  const channels: string[] = [];
  return {
    events,
    channels,
    handler: (event: PubSubEvent, channel: string) => {
      events.push(event);
      channels.push(channel);
    },
    waitFor: (count: number, timeoutMs = 5000) =>
      waitUntil(
        () => events.length >= count,
        timeoutMs,
        () => `got ${events.length} of ${count} events`,
      ),
  };
}

export async function waitUntil(
  predicate: () => boolean,
  timeoutMs = 5000,
  describe: () => string = () => 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Gives in-flight network messages a moment, for assertions that something did NOT arrive. */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface LogLine {
  level: number;
  msg: string;
  err?: { message: string };
  [key: string]: unknown;
}

export function logCapture() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    lines,
    errors: () => lines.filter((l) => l.level >= 50),
    warnings: () => lines.filter((l) => l.level === 40),
  };
}

export function resourceCounts(): { TCPSocketWrap: number; Timeout: number } {
  const info = process.getActiveResourcesInfo();
  return {
    TCPSocketWrap: info.filter((r) => r === 'TCPSocketWrap').length,
    Timeout: info.filter((r) => r === 'Timeout').length,
  };
}
