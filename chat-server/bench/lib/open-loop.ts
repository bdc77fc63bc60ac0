/**
 * Open-loop load: visitors send `message.send` on a timer at a fixed offered rate, whatever the
 * replies, round-robin over the pairs; agents time each message's arrival. Every message must
 * reach its agent exactly once: the result counts the lost and the duplicated.
 *
 * Latency runs from the moment the bench hands the frame to the visitor's socket to the moment
 * the agent's socket yields it, both in this process (one clock).
 */
import { performance } from 'node:perf_hooks';
import { QUEUE_FULL_MESSAGE } from '../../src/realtime/connection.ts';
import type { Pair } from './pairs.ts';
import { percentile, sleep } from './stats.ts';

export interface LoadResult {
  offeredRate: number;
  /** Messages per second actually handed to the sockets. */
  sentRate: number;
  sent: number;
  acked: number;
  delivered: number;
  /** Sent and never delivered (refused, shed, or dropped). */
  lost: number;
  /** Acked (so durable) and never delivered: the guarantee broken. */
  ackedNotDelivered: number;
  duplicated: number;
  errors: Record<string, number>;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

const CLIENT_MSG_ID = /"clientMsgId":"([^"]+)"/;
const ERROR_CODE = /"code":"([^"]+)"/;
const BODY =
  'Hello, I would like to change the dates of my booking to the second week of June, please. '.slice(0, 90);

export async function runOpenLoop(
  pairs: Pair[],
  opts: { rate: number; seconds: number; tag: string; drainMs?: number },
): Promise<LoadResult> {
  const total = Math.round(opts.rate * opts.seconds);
  const sentAt = new Map<string, number>();
  const seen = new Set<string>();
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const ackedIds = new Set<string>();
  let duplicated = 0;

  for (const pair of pairs) {
    pair.agent.onText((text) => {
      if (!text.startsWith('{"type":"message"')) return;
      const now = performance.now();
      const id = CLIENT_MSG_ID.exec(text)?.[1];
      if (!id) return;
      const at = sentAt.get(id);
      if (at === undefined) return; // an earlier run's message
      if (seen.has(id)) {
        duplicated++;
        return;
      }
      seen.add(id);
      latencies.push(now - at);
    });
    pair.visitor.onText((text) => {
      if (text.startsWith('{"type":"ack"')) {
        const id = CLIENT_MSG_ID.exec(text)?.[1];
        if (id && sentAt.has(id)) ackedIds.add(id);
      } else if (text.startsWith('{"type":"error"')) {
        let code = ERROR_CODE.exec(text)?.[1] ?? 'unknown';
        // Which rate_limited: this connection's frame queue full (the server is behind) or a limit.
        if (code === 'rate_limited') code += text.includes(QUEUE_FULL_MESSAGE) ? ' (queue full)' : ' (limit)';
        errors[code] = (errors[code] ?? 0) + 1;
      }
    });
  }

  // Sends happen on a ~1 ms timer; each tick sends whatever the schedule says is due by now.
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * opts.rate) / 1000));
      while (sent < due) {
        const pair = pairs[sent % pairs.length] as Pair;
        const clientMsgId = `${opts.tag}-${sent}`;
        sentAt.set(clientMsgId, performance.now());
        pair.visitor.send({
          type: 'message.send',
          conversationId: pair.conversationId,
          clientMsgId,
          body: BODY,
        });
        sent++;
      }
      if (sent >= total) done();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendSeconds = (performance.now() - started) / 1000;

  // Bounded drain: wait for the stragglers, then count what never came.
  const deadline = performance.now() + (opts.drainMs ?? 15_000);
  while (seen.size < total && performance.now() < deadline) await sleep(50);
  await sleep(300); // late duplicates would land here
  for (const pair of pairs) {
    pair.agent.onText(() => {});
    pair.visitor.onText(() => {});
  }

  latencies.sort((x, y) => x - y);
  return {
    offeredRate: opts.rate,
    sentRate: sent / sendSeconds,
    sent,
    acked: ackedIds.size,
    delivered: seen.size,
    lost: sent - seen.size,
    ackedNotDelivered: [...ackedIds].filter((id) => !seen.has(id)).length,
    duplicated,
    errors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    p999: percentile(latencies, 99.9),
    max: latencies.at(-1) ?? Number.NaN,
  };
}
