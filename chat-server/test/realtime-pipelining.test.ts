/**
 * Messages overlap on one connection: a message.send without attachments is handed to the message
 * writer and the connection's next message starts at once, so a burst (the widget's outbox after a
 * reconnect, a pasted list) is written in a few batched statements instead of one round trip
 * each — and still stored, numbered and acked in the order it was sent. Any other frame waits for
 * the messages before it (a close right after a burst must not refuse them).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { SITE_ORIGIN, visitorSession } from './helpers/realtime-users.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let server: ChatServer;
let db: ReturnType<typeof superuserSql>;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startChatServer({ WS_RATE_LIMIT_PER_CONNECTION: '100000', WS_RATE_LIMIT_PER_IP: '100000' });
  db = superuserSql();
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await server?.close();
  await db?.end();
});

async function visitorInChat(name: string): Promise<{ client: TestClient; conversationId: string }> {
  const session = await visitorSession(server.url);
  const client = await connect(server.url, session.token, { origin: SITE_ORIGIN });
  clients.push(client);
  await client.next('welcome');
  client.send({ type: 'conversation.start', ref: 'start', name });
  const conversationId = (await client.next('conversation', (f) => f.ref === 'start')).conversation.id;
  return { client, conversationId };
}

/** Statements the writer ran so far (the batch-size histogram's count) and the messages in them. */
async function writerStatements(): Promise<{ statements: number; messages: number }> {
  const { values } = await server.app.metrics.messageBatchSize.get();
  const pick = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))?.value ?? 0;
  return { statements: pick('_count'), messages: pick('_sum') };
}

async function storedIds(conversationId: string): Promise<Array<{ seq: number; client_msg_id: string }>> {
  return db<{ seq: number; client_msg_id: string }[]>`
    select seq::int as seq, client_msg_id from public.messages
    where conversation_id = ${conversationId} and sender_kind = 'visitor' order by seq`;
}

describe('a burst of messages on one connection', () => {
  it('goes to Postgres in batches, and is stored, numbered and acked in the order it was sent', async () => {
    const { client, conversationId } = await visitorInChat('Burst');
    const burst = 60;
    const before = await writerStatements();
    for (let i = 0; i < burst; i++) {
      client.send({
        type: 'message.send',
        ref: `r${i}`,
        conversationId,
        clientMsgId: `burst-${i}`,
        body: `line ${i}`,
      });
    }
    const acks = [];
    for (let i = 0; i < burst; i++)
      acks.push(await client.next('ack', (f) => f.clientMsgId === `burst-${i}`));
    const after = await writerStatements();

    expect(client.received.filter((f) => f.type === 'error')).toEqual([]);
    // Acked in send order with consecutive seqs: the writer kept arrival order.
    const first = acks[0]?.seq ?? 0;
    expect(acks.map((a) => a.seq)).toEqual(acks.map((_, i) => first + i));
    expect(acks.map((a) => a.ref)).toEqual(acks.map((_, i) => `r${i}`));
    const rows = await storedIds(conversationId);
    expect(rows.map((r) => r.client_msg_id)).toEqual(acks.map((_, i) => `burst-${i}`));
    // One round trip per message would be `burst` statements of one message each.
    expect(after.messages - before.messages).toBe(burst);
    expect(after.statements - before.statements).toBeLessThan(burst / 2);
  });

  it('a close sent right after the burst waits for it: every message is stored before the close', async () => {
    const { client, conversationId } = await visitorInChat('Burst then close');
    const burst = 30;
    for (let i = 0; i < burst; i++) {
      client.send({ type: 'message.send', conversationId, clientMsgId: `bc-${i}`, body: `line ${i}` });
    }
    client.send({ type: 'conversation.close', ref: 'close', conversationId });
    const closed = await client.next('conversation', (f) => f.ref === 'close');
    expect(closed.conversation.status).toBe('closed');

    expect(client.received.filter((f) => f.type === 'error')).toEqual([]);
    const ackIndexes = client.received.flatMap((f, i) => (f.type === 'ack' ? [i] : []));
    expect(ackIndexes).toHaveLength(burst);
    // Every ack came before the close's answer.
    expect(Math.max(...ackIndexes)).toBeLessThan(client.received.indexOf(closed));
    const rows = await storedIds(conversationId);
    expect(rows.map((r) => r.client_msg_id)).toEqual(Array.from({ length: burst }, (_, i) => `bc-${i}`));
    const [system] = await db<{ seq: number }[]>`
      select seq::int as seq from public.messages
      where conversation_id = ${conversationId} and sender_kind = 'system' and payload->>'event' = 'closed'`;
    expect(system?.seq).toBeGreaterThan(rows.at(-1)?.seq ?? Number.POSITIVE_INFINITY);
  });

  it('a bad message inside the burst gets its own error; the others are stored and acked', async () => {
    const { client, conversationId } = await visitorInChat('Burst with a conflict');
    client.send({
      type: 'message.send',
      ref: 'first',
      conversationId,
      clientMsgId: 'bx-0',
      body: 'original',
    });
    await client.next('ack', (f) => f.ref === 'first');
    // bx-0 again with another body is a conflict; the rest are new.
    const frames = ['bx-1', 'bx-2', 'bx-0', 'bx-3', 'bx-4'];
    frames.forEach((id, i) => {
      client.send({
        type: 'message.send',
        ref: `b${i}`,
        conversationId,
        clientMsgId: id,
        body: `changed ${i}`,
      });
    });
    const refusal = await client.next('error', (f) => f.ref === 'b2');
    expect(refusal.code).toBe('conflict');
    for (const i of [0, 1, 3, 4]) await client.next('ack', (f) => f.ref === `b${i}`);
    const rows = await storedIds(conversationId);
    expect(rows.map((r) => r.client_msg_id)).toEqual(['bx-0', 'bx-1', 'bx-2', 'bx-3', 'bx-4']);
    const [kept] = await db<{ body: string }[]>`
      select body from public.messages where conversation_id = ${conversationId} and client_msg_id = 'bx-0'`;
    expect(kept?.body).toBe('original');
  });
});

describe("a message's ack and the sender's own copy", () => {
  it('leave in one network write', async () => {
    const { client, conversationId } = await visitorInChat('One write');
    // The server runs in this process, so the process's write syscalls (Linux /proc) count its
    // socket writes. One message sent and answered is three at least: the client's frame, the
    // server's statement to Postgres, and the ack with the sender's copy in one write (four if
    // they leave apart). Other work (timers, logs) only adds, so the fewest over ten messages is
    // the message's own.
    const writes = () => Number(/syscw: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
    const perMessage: number[] = [];
    for (let i = 0; i < 10; i++) {
      const clientMsgId = `one-write-${i}`;
      const before = writes();
      client.send({ type: 'message.send', ref: `w${i}`, conversationId, clientMsgId, body: `hello ${i}` });
      await client.next('ack', (f) => f.clientMsgId === clientMsgId);
      await client.next('message', (f) => f.message.clientMsgId === clientMsgId);
      perMessage.push(writes() - before);
    }
    expect(Math.min(...perMessage)).toBe(3);
  });
});
