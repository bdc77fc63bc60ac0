/**
 * persistMessage() against the real database, as role chat_server: the one-round-trip path
 * (private.persist_message) and the transaction path used when attachments are bound. The rules:
 * one row per clientMsgId, the same answer to a resend, a conflict for another body, closed
 * refused (but a resend still acked), seqs gap-free even under concurrent duplicates, and
 * first_response_at set by the first agent message only.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import { persistMessage } from '../src/conversations/messages.ts';
import { createSql, type Sql } from '../src/db/sql.ts';
import {
  CONTOSO_ORG,
  createConversation,
  NORTHWIND_ORG,
  visitorMessage,
} from './helpers/conversation-fixtures.ts';
import { USERS } from './helpers/realtime-users.ts';

let db: ReturnType<typeof superuserSql>;
let sql: Sql;

beforeAll(() => {
  db = superuserSql();
  // Several connections, so concurrent calls really run in parallel in Postgres.
  sql = createSql({ url: inject('supabase').dbUrl, role: 'chat_server', max: 8 });
});
afterAll(async () => {
  await sql?.end({ timeout: 2 });
  await db?.end();
});

/** A fresh active conversation of a fresh visitor (no group: routing leaves it alone). */
const conversation = () => createConversation(db, { name: 'persist test' });

async function stored(conversationId: string) {
  const rows = await db<{ seq: number; client_msg_id: string }[]>`
    select seq::int as seq, client_msg_id from public.messages where conversation_id = ${conversationId} order by seq`;
  const [c] = await db<{ last_seq: number; first_response_at: Date | null }[]>`
    select last_seq::int as last_seq, first_response_at from public.conversations where id = ${conversationId}`;
  return { rows, lastSeq: c?.last_seq, firstResponseAt: c?.first_response_at };
}

describe('persistMessage', () => {
  it('creates once, answers a resend with the same row, and a different body is a conflict', async () => {
    const conv = await conversation();
    const first = await persistMessage(sql, { ...visitorMessage(conv, 'm1'), payload: { k: 'v' } });
    expect(first.kind).toBe('created');
    if (first.kind !== 'created') return;
    expect(first.message).toMatchObject({
      conversationId: conv.id,
      seq: 1,
      clientMsgId: 'm1',
      senderKind: 'visitor',
      senderId: conv.visitorId,
      senderName: 'Ana',
      body: 'hello',
      payload: { k: 'v' },
      attachments: [],
    });
    // The server builds the message from what it asked to store and the row's identity: the id
    // and time it announces are the stored row's.
    const [row] = await db<{ id: string; created_at: Date }[]>`
      select id, created_at from public.messages where conversation_id = ${conv.id} and client_msg_id = 'm1'`;
    expect(first.message).toMatchObject({ id: row?.id, createdAt: row?.created_at.toISOString() });
    const again = await persistMessage(sql, visitorMessage(conv, 'm1'));
    expect(again).toEqual({ kind: 'duplicate', message: { ...first.message, payload: { k: 'v' } } });
    expect(await persistMessage(sql, visitorMessage(conv, 'm1', 'other'))).toEqual({ kind: 'conflict' });
    // Same body, other sender: not the same message either.
    expect(
      await persistMessage(sql, {
        ...visitorMessage(conv, 'm1'),
        senderKind: 'agent',
        senderId: USERS.agent1.id,
      }),
    ).toEqual({ kind: 'conflict' });
    expect(await stored(conv.id)).toMatchObject({ rows: [{ seq: 1, client_msg_id: 'm1' }], lastSeq: 1 });
  });

  it('refuses a new message in a closed conversation but still acks a resend; unknown or foreign is not_found', async () => {
    const conv = await conversation();
    const first = await persistMessage(sql, visitorMessage(conv, 'before'));
    await db`update public.conversations set status = 'closed', closed_at = now() where id = ${conv.id}`;
    expect(await persistMessage(sql, visitorMessage(conv, 'after'))).toEqual({ kind: 'closed' });
    const resend = await persistMessage(sql, visitorMessage(conv, 'before'));
    expect(resend.kind).toBe('duplicate');
    expect(resend.kind === 'duplicate' && first.kind === 'created' && resend.message.id).toBe(
      first.kind === 'created' && first.message.id,
    );
    expect(await persistMessage(sql, { ...visitorMessage(conv, 'x'), orgId: CONTOSO_ORG })).toEqual({
      kind: 'not_found',
    });
    expect(
      await persistMessage(sql, {
        ...visitorMessage(conv, 'x'),
        conversationId: '00000000-0000-4000-8000-00000000dead',
      }),
    ).toEqual({ kind: 'not_found' });
    expect((await stored(conv.id)).lastSeq).toBe(1);
  });

  it('stores concurrent resends once each and keeps seqs gap-free (no seq burned)', async () => {
    const conv = await conversation();
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    // Every id sent three times at once, interleaved, over 8 connections.
    const outcomes = await Promise.all(
      [...ids, ...ids, ...ids].map((id) => persistMessage(sql, visitorMessage(conv, id, `body ${id}`))),
    );
    const kinds = outcomes.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'created')).toHaveLength(ids.length);
    expect(kinds.filter((k) => k === 'duplicate')).toHaveLength(ids.length * 2);
    // Every answer for one id names the same row.
    for (const id of ids) {
      const rows = outcomes.flatMap((o) =>
        o.kind !== 'conflict' && o.kind !== 'closed' && o.kind !== 'not_found' && o.message.clientMsgId === id
          ? [o.message.id]
          : [],
      );
      expect(new Set(rows).size).toBe(1);
    }
    const { rows, lastSeq } = await stored(conv.id);
    expect(rows.map((r) => r.seq)).toEqual(ids.map((_, i) => i + 1));
    expect(lastSeq).toBe(ids.length);
  });

  it('a resend racing its own uncommitted first copy is retried and answered as a duplicate', async () => {
    const conv = await conversation();
    // Eight copies of each id at once over eight connections: most copies find the first one
    // still uncommitted (insert fails with unique_violation, nothing kept, retried once).
    for (const id of ['r1', 'r2', 'r3']) {
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => persistMessage(sql, visitorMessage(conv, id, `body ${id}`))),
      );
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['created', ...Array(7).fill('duplicate')]);
      const ids = new Set(
        outcomes.map((o) => (o.kind === 'created' || o.kind === 'duplicate' ? o.message.id : '')),
      );
      expect(ids.size).toBe(1);
    }
    const { rows, lastSeq } = await stored(conv.id);
    expect(rows.map((r) => r.client_msg_id)).toEqual(['r1', 'r2', 'r3']);
    expect(lastSeq).toBe(3);
  });

  it('sets first_response_at with the first agent message only, not with visitor messages or notes', async () => {
    const conv = await conversation();
    const agent = { senderKind: 'agent' as const, senderId: USERS.agent1.id };
    await persistMessage(sql, visitorMessage(conv, 'v1'));
    await persistMessage(sql, {
      ...visitorMessage(conv, 'n1'),
      senderKind: 'note',
      senderId: USERS.agent1.id,
    });
    expect((await stored(conv.id)).firstResponseAt).toBeNull();
    await persistMessage(sql, { ...visitorMessage(conv, 'a1'), ...agent });
    const firstAt = (await stored(conv.id)).firstResponseAt;
    expect(firstAt).toBeInstanceOf(Date);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await persistMessage(sql, { ...visitorMessage(conv, 'a2'), ...agent });
    expect((await stored(conv.id)).firstResponseAt).toEqual(firstAt);
  });

  it('runs afterInsert in the insert’s transaction: a throw there rolls the row and its seq back', async () => {
    const conv = await conversation();
    await expect(
      persistMessage(sql, visitorMessage(conv, 'with-file'), async (tx, message) => {
        const [seen] = await tx<{ n: number }[]>`
          select count(*)::int as n from public.messages where id = ${message.id}`;
        expect(seen?.n).toBe(1);
        throw new Error('attachment missing');
      }),
    ).rejects.toThrow('attachment missing');
    expect(await stored(conv.id)).toMatchObject({ rows: [], lastSeq: 0 });
    let called = 0;
    const ok = await persistMessage(sql, visitorMessage(conv, 'with-file'), async () => {
      called++;
    });
    expect(ok.kind === 'created' && ok.message.seq).toBe(1);
    // A resend does not bind again.
    const dup = await persistMessage(sql, visitorMessage(conv, 'with-file'), async () => {
      called++;
    });
    expect(dup.kind).toBe('duplicate');
    expect(called).toBe(1);
  });

  it('private.persist_message may be called by chat_server only', async () => {
    const conv = await conversation();
    for (const role of ['anon', 'authenticated']) {
      await expect(
        db.begin(async (tx) => {
          await tx.unsafe(`set local role ${role}`);
          await tx`select * from private.persist_message(${NORTHWIND_ORG}, ${conv.id}, 'r', 'visitor',
            ${conv.visitorId}, 'hi', '{}'::jsonb)`;
        }),
      ).rejects.toThrow(/permission denied/);
    }
    expect((await stored(conv.id)).lastSeq).toBe(0);
  });
});
