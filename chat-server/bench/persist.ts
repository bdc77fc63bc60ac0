/**
 * (d) Where the time goes: the persistence step alone, from this process, no sockets. Our
 * persistMessage() (the real function, as role chat_server: a transaction that locks the
 * conversation row, checks the clientMsgId, inserts with the seq trigger and the full-text index)
 * against the reference relay's single INSERT, same pool size, same concurrency.
 */
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { persistMessage } from '../src/conversations/messages.ts';
import { insertConversation } from '../src/conversations/queries.ts';
import { createSql } from '../src/db/sql.ts';
import { ACME_CLIENT, ACME_SITE, createVisitors, NORTHWIND_ORG } from './lib/fixtures.ts';
import type { PartResult } from './lib/report.ts';
import type { BenchStack } from './lib/stack.ts';
import { fmt, percentile, ratio } from './lib/stats.ts';

const BOOKINGS_GROUP = '50000000-0000-4000-8000-000000000001';
const BODY = 'Hello, I would like to change the dates of my booking to the second week of June, please.';

interface PersistResult {
  perSecond: number;
  p50: number;
  p99: number;
}

export async function persistPart(
  stack: BenchStack,
  opts: { messages: number; conversations: number; concurrency: number; log: (line: string) => void },
): Promise<PartResult> {
  const sql = createSql({ url: stack.dbUrl, role: 'chat_server', max: 10 });
  const refSql = postgres(stack.dbUrl, { max: 10, onnotice: () => {} });
  try {
    const visitors = await createVisitors(stack.admin, opts.conversations, 'persist');
    const conversations = await Promise.all(
      visitors.map((visitorId) =>
        insertConversation(sql, {
          orgId: NORTHWIND_ORG,
          clientId: ACME_CLIENT,
          siteId: ACME_SITE,
          visitorId,
          groupId: BOOKINGS_GROUP,
          topic: '',
        }),
      ),
    );
    const ours = (tag: string) => async (i: number) => {
      const conv = conversations[i % conversations.length] as (typeof conversations)[number];
      const outcome = await persistMessage(sql, {
        orgId: conv.orgId,
        conversationId: conv.id,
        clientMsgId: `${tag}-${i}`,
        senderKind: 'visitor',
        senderId: conv.visitorId,
        senderName: '',
        body: BODY,
      });
      if (outcome.kind !== 'created') throw new Error(`persistMessage: ${outcome.kind}`);
    };
    const reference = (tag: string) => async (i: number) => {
      const conv = conversations[i % conversations.length] as (typeof conversations)[number];
      await refSql`
        insert into bench_ref.messages (conversation_id, client_msg_id, body)
        values (${conv.id}, ${`${tag}-${i}`}, ${BODY})
        returning id, created_at`;
    };
    // The same table's INSERT without the transaction around it: splits the table's own cost
    // (seq trigger updating the conversation row, full-text GIN index, foreign keys) from the
    // round trips of the lock-check-insert transaction.
    const tableOnly = (tag: string) => async (i: number) => {
      const conv = conversations[i % conversations.length] as (typeof conversations)[number];
      await sql`
        insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body)
        values (${conv.orgId}, ${conv.id}, ${`${tag}-${i}`}, 'visitor', ${conv.visitorId}, ${BODY})
        returning id, seq`;
    };
    // Warm all, then measure.
    await run(ours('warm'), 500, opts.concurrency);
    await run(tableOnly('warm-t'), 500, opts.concurrency);
    await run(reference('warm'), 500, opts.concurrency);
    const r = await run(reference('ref'), opts.messages, opts.concurrency);
    const t = await run(tableOnly('table'), opts.messages, opts.concurrency);
    const o = await run(ours('ours'), opts.messages, opts.concurrency);
    opts.log(
      `  public.messages INSERT alone: ${fmt(t.perSecond)}/s, p50 ${fmt(t.p50, 2)} ms, p99 ${fmt(t.p99, 2)} ms`,
    );
    opts.log(`  reference INSERT: ${fmt(r.perSecond)}/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms`);
    opts.log(`  persistMessage:   ${fmt(o.perSecond)}/s, p50 ${fmt(o.p50, 2)} ms, p99 ${fmt(o.p99, 2)} ms`);
    return {
      title: '(d) Diagnostic: the persistence step alone',
      setup:
        `${fmt(opts.messages)} messages over ${opts.conversations} conversations, ${opts.concurrency} at a time, ` +
        'pool of 10, from the bench process (no sockets, no Redis): our persistMessage() as role chat_server ' +
        'versus the reference relay’s single INSERT (its own pool of 10).',
      rows: [
        {
          metric: 'messages persisted per second',
          ours: fmt(o.perSecond),
          reference: fmt(r.perSecond),
          ratio: ratio(o.perSecond, r.perSecond),
        },
        { metric: 'p50 (ms)', ours: fmt(o.p50, 2), reference: fmt(r.p50, 2), ratio: ratio(o.p50, r.p50) },
        { metric: 'p99 (ms)', ours: fmt(o.p99, 2), reference: fmt(r.p99, 2), ratio: ratio(o.p99, r.p99) },
        {
          metric: 'split: public.messages INSERT alone, no transaction (per second)',
          ours: fmt(t.perSecond),
          reference: fmt(r.perSecond),
          ratio: ratio(t.perSecond, r.perSecond),
        },
      ],
      notes: [],
    };
  } finally {
    await Promise.all([sql.end({ timeout: 2 }), refSql.end({ timeout: 2 })]);
  }
}

async function run(
  step: (i: number) => Promise<void>,
  total: number,
  concurrency: number,
): Promise<PersistResult> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await step(i);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  times.sort((x, y) => x - y);
  return { perSecond: total / seconds, p50: percentile(times, 50), p99: percentile(times, 99) };
}
