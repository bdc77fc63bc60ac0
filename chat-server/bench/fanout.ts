/**
 * (c) Fan-out: one conversation watched by many agent sockets spread over two instances; a
 * visitor on A sends a burst (a bounded window of unacked sends). Deliveries per second =
 * agent deliveries / (first send → last delivery). Every agent must get every message once.
 * Reference: the same sockets and load on the bare ws + ioredis + INSERT relay.
 */
import { performance } from 'node:perf_hooks';
import { closeAll, type Flavor, openAgents, openVisitors } from './lib/pairs.ts';
import type { PartResult } from './lib/report.ts';
import { type MeasuredServer, startOurServer, startReference, stopServers } from './lib/servers.ts';
import type { BenchStack } from './lib/stack.ts';
import { fmt, ratio, sleep } from './lib/stats.ts';
import type { BenchSocket } from './lib/ws-clients.ts';

export interface FanoutOptions {
  watchers: number;
  messages: number;
  window: number;
  log: (line: string) => void;
}

interface FanoutResult {
  deliveriesPerSecond: number;
  messagesPerSecond: number;
  expected: number;
  delivered: number;
  duplicated: number;
  seconds: number;
}

const CLIENT_MSG_ID = /"clientMsgId":"([^"]+)"/;

export async function fanoutPart(stack: BenchStack, opts: FanoutOptions): Promise<PartResult> {
  const ref = await measure('reference', stack, opts);
  const ours = await measure('ours', stack, opts);
  const missing = (r: FanoutResult) => r.expected - r.delivered;
  return {
    title: '(c) Fan-out: deliveries per second',
    setup:
      `1 conversation watched by ${opts.watchers} agent sockets (half on instance A, half on B); its visitor on A ` +
      `sends ${fmt(opts.messages)} messages with at most ${opts.window} unacked; each message persisted, then ` +
      'published once through Redis. Reference: bare ws + ioredis relay + one INSERT per message.',
    rows: [
      {
        metric: 'deliveries per second (to agent sockets)',
        ours: fmt(ours.deliveriesPerSecond),
        reference: fmt(ref.deliveriesPerSecond),
        ratio: ratio(ours.deliveriesPerSecond, ref.deliveriesPerSecond),
      },
      {
        metric: 'messages per second (sent and fully fanned out)',
        ours: fmt(ours.messagesPerSecond),
        reference: fmt(ref.messagesPerSecond),
        ratio: ratio(ours.messagesPerSecond, ref.messagesPerSecond),
      },
      {
        metric: 'missing / duplicated deliveries',
        ours: `${fmt(missing(ours))} / ${fmt(ours.duplicated)} (of ${fmt(ours.expected)})`,
        reference: `${fmt(missing(ref))} / ${fmt(ref.duplicated)} (of ${fmt(ref.expected)})`,
        ratio: '',
        target: 'zero lost',
        pass: missing(ours) === 0 && ours.duplicated === 0,
      },
    ],
    notes: [],
  };

  async function measure(flavor: Flavor, s: BenchStack, o: FanoutOptions): Promise<FanoutResult> {
    let a: MeasuredServer | undefined;
    let b: MeasuredServer | undefined;
    let visitor: BenchSocket | undefined;
    let agents: BenchSocket[] = [];
    try {
      [a, b] = await Promise.all(
        flavor === 'ours'
          ? [startOurServer(s, { label: 'A', redis: true }), startOurServer(s, { label: 'B', redis: true })]
          : [startReference(s, 'relay', 'ref-A'), startReference(s, 'relay', 'ref-B')],
      );
      const [v] = await openVisitors(flavor, s, a.wsBase, 1, `fanout-${flavor}`);
      if (!v) throw new Error('no visitor');
      visitor = v.visitor;
      const half = Math.ceil(o.watchers / 2);
      agents = [
        ...(await openAgents(flavor, s, a.wsBase, [v.conversationId], half)),
        ...(await openAgents(flavor, s, b.wsBase, [v.conversationId], o.watchers - half)),
      ];
      await burst(
        visitor,
        v.conversationId,
        agents,
        { ...o, messages: Math.min(100, o.messages) },
        `warm-${flavor}`,
      );
      await sleep(500);
      const result = await burst(visitor, v.conversationId, agents, o, `fan-${flavor}`);
      o.log(
        `  ${flavor.padEnd(9)} ${fmt(result.deliveriesPerSecond)} deliveries/s, ${fmt(result.messagesPerSecond)} msg/s, ` +
          `${fmt(result.delivered)}/${fmt(result.expected)} delivered, ${result.duplicated} dup, ${fmt(result.seconds, 2)} s`,
      );
      return result;
    } finally {
      closeAll([visitor, ...agents]);
      await stopServers([a, b]);
    }
  }
}

async function burst(
  visitor: BenchSocket,
  conversationId: string,
  agents: BenchSocket[],
  o: FanoutOptions,
  tag: string,
): Promise<FanoutResult> {
  const expected = o.messages * agents.length;
  let delivered = 0;
  let duplicated = 0;
  let lastDelivery = 0;
  for (const agent of agents) {
    const seen = new Set<string>();
    agent.onText((text) => {
      if (!text.startsWith('{"type":"message"')) return;
      const id = CLIENT_MSG_ID.exec(text)?.[1];
      if (!id?.startsWith(`${tag}-`)) return;
      if (seen.has(id)) duplicated++;
      else {
        seen.add(id);
        delivered++;
        lastDelivery = performance.now();
      }
    });
  }
  let sent = 0;
  let acked = 0;
  let wake: (() => void) | undefined;
  visitor.onText((text) => {
    if (text.startsWith('{"type":"ack"') || text.startsWith('{"type":"error"')) {
      acked++;
      wake?.();
    }
  });
  const started = performance.now();
  const deadline = started + 60_000;
  while (sent < o.messages && performance.now() < deadline) {
    while (sent < o.messages && sent - acked < o.window) {
      visitor.send({
        type: 'message.send',
        conversationId,
        clientMsgId: `${tag}-${sent}`,
        body: `fan-out ${sent}`,
      });
      sent++;
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 100);
    });
  }
  const drainUntil = performance.now() + 15_000;
  while (delivered < expected && performance.now() < drainUntil) await sleep(20);
  await sleep(200);
  const seconds = ((lastDelivery || performance.now()) - started) / 1000;
  for (const agent of agents) agent.onText(() => {});
  visitor.onText(() => {});
  return {
    deliveriesPerSecond: delivered / seconds,
    messagesPerSecond: delivered / agents.length / seconds,
    expected,
    delivered,
    duplicated,
    seconds,
  };
}
