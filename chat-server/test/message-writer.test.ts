/**
 * The message writer (group commit) against the real database, as role chat_server: messages
 * that queue up go in one private.persist_messages() statement, and every rule of the
 * one-message path still holds per message — seq order is call order within a conversation,
 * duplicates/conflicts/closed/not_found are answered per message inside one batch, one bad message
 * fails alone, and two writers (two instances) on the same conversations neither deadlock nor
 * break the gap-free seqs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import { createMessageWriter, type MessageWriter } from '../src/conversations/message-writer.ts';
import { type PersistOutcome, persistMessage } from '../src/conversations/messages.ts';
import { createSql, type Sql } from '../src/db/sql.ts';
import {
  CONTOSO_ORG,
  createConversation,
  type TestConversation,
  visitorMessage,
} from './helpers/conversation-fixtures.ts';

/** agent1@northwind.test (supabase/seed.sql). */
const AGENT1 = '20000000-0000-4000-8000-000000000004';

let db: ReturnType<typeof superuserSql>;
let sql: Sql;
let sql2: Sql;

beforeAll(() => {
  db = superuserSql();
  sql = createSql({ url: inject('supabase').dbUrl, role: 'chat_server', max: 6 });
  sql2 = createSql({ url: inject('supabase').dbUrl, role: 'chat_server', max: 6 });
});
afterAll(async () => {
  await Promise.all([sql?.end({ timeout: 2 }), sql2?.end({ timeout: 2 })]);
  await db?.end();
});

const conversation = (status: 'active' | 'closed' = 'active') =>
  createConversation(db, { name: 'writer test', status });

const message = (conv: TestConversation, clientMsgId: string, body = `body ${clientMsgId}`) =>
  visitorMessage(conv, clientMsgId, body);

async function storedIds(conversationId: string): Promise<string[]> {
  const rows = await db<{ seq: number; client_msg_id: string }[]>`
    select seq::int as seq, client_msg_id from public.messages
    where conversation_id = ${conversationId} order by seq`;
  rows.forEach((r, i) => {
    expect(r.seq, 'seqs are gap-free from 1').toBe(i + 1);
  });
  return rows.map((r) => r.client_msg_id);
}

/** Batches that failed as a whole (and were retried message by message), across this file. */
const failedBatches: unknown[] = [];

function writer(on: Sql, opts: { maxInFlight: number; maxBatch: number }, sizes: number[]): MessageWriter {
  return createMessageWriter(on, {
    ...opts,
    onBatch: (size) => sizes.push(size),
    onBatchFailed: (_size, error) => failedBatches.push(error),
  });
}

describe('message writer', () => {
  // Every batch below must succeed as one statement: a batch that failed is retried message by
  // message and would still store everything, hiding a broken batch path.
  afterEach(() => {
    expect(failedBatches.splice(0).map(String)).toEqual([]);
  });

  it('stores what queued up together in few statements, in call order per conversation', async () => {
    const convs = await Promise.all([conversation(), conversation(), conversation()]);
    const sizes: number[] = [];
    const w = writer(sql, { maxInFlight: 1, maxBatch: 20 }, sizes);
    const calls: Array<Promise<PersistOutcome>> = [];
    const expected = new Map<string, string[]>(convs.map((c) => [c.id, []]));
    for (let i = 0; i < 60; i++) {
      const conv = convs[i % 3] as (typeof convs)[number];
      calls.push(w.persist(message(conv, `m${i}`)));
      expected.get(conv.id)?.push(`m${i}`);
    }
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o.kind === 'created')).toBe(true);
    // 60 messages, at most 20 per statement: 3 statements, not 60.
    expect(sizes).toEqual([20, 20, 20]);
    for (const conv of convs) expect(await storedIds(conv.id)).toEqual(expected.get(conv.id));
    // Each ack names its own row: seq matches the stored order.
    for (const [i, o] of outcomes.entries()) {
      if (o.kind !== 'created') throw new Error('not created');
      expect(o.message.clientMsgId).toBe(`m${i}`);
      expect(o.message.seq).toBe(Math.floor(i / 3) + 1);
      expect(o.message.senderName).toBe('Ana');
    }
    await w.flushed();
  });

  it('answers duplicate, conflict, closed and not_found per message inside one batch', async () => {
    const open = await conversation();
    const closed = await conversation('closed');
    const sizes: number[] = [];
    const w = writer(sql, { maxInFlight: 1, maxBatch: 50 }, sizes);
    const results = await Promise.all([
      w.persist(message(open, 'a', 'hello')),
      w.persist(message(open, 'a', 'hello')), // resent in the same batch: the same row
      w.persist(message(open, 'a', 'another body')), // same id, other body
      w.persist(message(closed, 'c')),
      w.persist({ ...message(open, 'x'), orgId: CONTOSO_ORG }), // not this org's conversation
      w.persist(message(open, 'b')),
    ]);
    expect(sizes).toEqual([6]);
    expect(results.map((r) => r.kind)).toEqual([
      'created',
      'duplicate',
      'conflict',
      'closed',
      'not_found',
      'created',
    ]);
    const [first, again, , , , last] = results;
    if (first?.kind !== 'created' || again?.kind !== 'duplicate' || last?.kind !== 'created')
      throw new Error('unexpected kinds');
    expect(again.message.id).toBe(first.message.id);
    expect(again.message.seq).toBe(1);
    expect(last.message.seq).toBe(2);
    expect(await storedIds(open.id)).toEqual(['a', 'b']);
    expect(await storedIds(closed.id)).toEqual([]);
  });

  it('shares the seq with the one-message path, sets first_response_at, and acks a resend after the close', async () => {
    const conv = await conversation();
    const w = writer(sql, { maxInFlight: 2, maxBatch: 50 }, []);
    const agent = { ...message(conv, 'reply'), senderKind: 'agent' as const, senderId: AGENT1 };
    // The one-message function (its rows are numbered by the seq trigger) racing batches.
    const results = await Promise.all([
      w.persist(message(conv, 'b1')),
      persistMessage(sql, message(conv, 's1')),
      w.persist(message(conv, 'b2')),
      persistMessage(sql, message(conv, 's2')),
      w.persist(agent),
    ]);
    expect(results.map((r) => r.kind)).toEqual(['created', 'created', 'created', 'created', 'created']);
    expect((await storedIds(conv.id)).sort()).toEqual(['b1', 'b2', 'reply', 's1', 's2']);
    const [c] = await db<{ last_seq: number; first_response_at: Date | null; last_message_at: Date }[]>`
      select last_seq::int as last_seq, first_response_at, last_message_at from public.conversations where id = ${conv.id}`;
    expect(c?.last_seq).toBe(5);
    expect(c?.first_response_at).toBeInstanceOf(Date);
    await db`update public.conversations set status = 'closed', closed_at = now() where id = ${conv.id}`;
    const [resent, fresh] = await Promise.all([
      w.persist(message(conv, 'b1')),
      w.persist(message(conv, 'late')),
    ]);
    expect(resent?.kind).toBe('duplicate');
    expect(fresh?.kind).toBe('closed');
    if (resent?.kind !== 'duplicate' || results[0]?.kind !== 'created') throw new Error('kinds');
    expect(resent.message.id).toBe(results[0].message.id);
  });

  it('fails only the bad message of a batch; the others are stored', async () => {
    const conv = await conversation();
    const sizes: number[] = [];
    const w = writer(sql, { maxInFlight: 1, maxBatch: 50 }, sizes);
    const tooLong = 'x'.repeat(20_001); // over the messages.body check constraint
    const settled = await Promise.allSettled([
      w.persist(message(conv, 'ok-1')),
      w.persist(message(conv, 'bad', tooLong)),
      w.persist(message(conv, 'ok-2')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/check constraint/);
    // The batch of three was tried, then each alone.
    expect(sizes).toEqual([3]);
    expect(failedBatches.splice(0)).toHaveLength(1);
    expect(await storedIds(conv.id)).toEqual(['ok-1', 'ok-2']);
  });

  it('keeps one batch in flight per conversation, so a later send never overtakes', async () => {
    const conv = await conversation();
    const other = await conversation();
    const sizes: number[] = [];
    const w = writer(sql, { maxInFlight: 4, maxBatch: 50 }, sizes);
    const first = w.persist(message(conv, 'one'));
    await Promise.resolve(); // let the first flush start its statement
    await Promise.resolve();
    const rest = [
      w.persist(message(conv, 'two')),
      w.persist(message(other, 'x')),
      w.persist(message(conv, 'three')),
    ];
    const outcomes = await Promise.all([first, ...rest]);
    expect(outcomes.every((o) => o.kind === 'created')).toBe(true);
    expect(await storedIds(conv.id)).toEqual(['one', 'two', 'three']);
    expect(await storedIds(other.id)).toEqual(['x']);
  });

  it('two writers (two instances) on the same conversations: no deadlock, no gap, nothing lost', async () => {
    const convs = await Promise.all(Array.from({ length: 8 }, () => conversation()));
    const a = writer(sql, { maxInFlight: 3, maxBatch: 16 }, []);
    const b = writer(sql2, { maxInFlight: 3, maxBatch: 16 }, []);
    const calls: Array<Promise<PersistOutcome>> = [];
    for (let round = 0; round < 25; round++) {
      // Each writer visits the conversations in a different order, the pattern that deadlocks
      // when rows are locked in arrival order.
      for (const [i, conv] of convs.entries()) calls.push(a.persist(message(conv, `a-${round}-${i}`)));
      for (const [i, conv] of [...convs].reverse().entries())
        calls.push(b.persist(message(conv, `b-${round}-${i}`)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o.kind !== 'created')).toEqual([]);
    // No batch deadlocked (afterEach checks that none failed and was retried one by one).
    let total = 0;
    for (const conv of convs) total += (await storedIds(conv.id)).length;
    expect(total).toBe(8 * 25 * 2);
    await Promise.all([a.flushed(), b.flushed()]);
  });
});
