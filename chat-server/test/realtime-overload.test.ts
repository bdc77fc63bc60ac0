/**
 * Overload: a connection may have MAX_QUEUED_FRAMES frames waiting or unanswered (a message counts
 * until its ack), so a sender faster than the server fills its connection's queue. Past MAX_QUEUED_FRAMES the server refuses frames with
 * rate_limited (the "queue full" message, not the rate limit's), closes with 4029 after
 * STRIKES_BEFORE_CLOSE refusals in a row, and everything it acked is stored once, gap-free.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import { MAX_QUEUED_FRAMES, QUEUE_FULL_MESSAGE } from '../src/realtime/connection.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { SITE_ORIGIN, visitorSession } from './helpers/realtime-users.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let server: ChatServer;
let db: ReturnType<typeof superuserSql>;
let client: TestClient | undefined;

beforeAll(async () => {
  // The rate limits stay far above the burst: only the queue cap can refuse here.
  server = await startChatServer({ WS_RATE_LIMIT_PER_CONNECTION: '100000', WS_RATE_LIMIT_PER_IP: '100000' });
  db = superuserSql();
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  await db?.end();
});

describe('a sender faster than the server', () => {
  it('is refused with rate_limited once its queue is full, then closed with 4029; what was acked is stored once', async () => {
    const session = await visitorSession(server.url, 'acme_travel_demo');
    client = await connect(server.url, session.token, { origin: SITE_ORIGIN });
    await client.next('welcome');
    client.send({ type: 'conversation.start', ref: 'start', name: 'Flood' });
    const conversationId = (await client.next('conversation', (f) => f.ref === 'start')).conversation.id;

    // Far more than the queue holds, all at once: each message.send costs a database round trip.
    const burst = MAX_QUEUED_FRAMES * 4;
    for (let i = 0; i < burst; i++) {
      client.send({ type: 'message.send', conversationId, clientMsgId: `flood-${i}`, body: `message ${i}` });
    }
    expect((await client.closed).code).toBe(4029);

    const errors = client.received.filter((f) => f.type === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).toMatchObject({ code: 'rate_limited', message: QUEUE_FULL_MESSAGE });
    // Frames still queued at the close are dropped unhandled (a real client resends them from its
    // outbox after reconnecting); what was acked before is stored.
    const acked = client.received.flatMap((f) => (f.type === 'ack' ? [f.clientMsgId] : []));
    const rows = await db<{ seq: number; client_msg_id: string }[]>`
      select seq::int as seq, client_msg_id from public.messages
      where conversation_id = ${conversationId} and client_msg_id like 'flood-%' order by seq`;
    const stored = rows.map((r) => r.client_msg_id);
    expect(new Set(stored).size).toBe(stored.length);
    for (const id of acked) expect(stored).toContain(id);
    expect(stored.length).toBeLessThan(burst);
    // Handled in arrival order: the stored ones are a prefix-ordered subset of the burst.
    const indexes = stored.map((id) => Number(id.slice('flood-'.length)));
    expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => (rows[0]?.seq ?? 0) + i));
  });
});
