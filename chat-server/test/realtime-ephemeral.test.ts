/**
 * Live-only events over real sockets: typing both ways, the visitor's throttled draft for agents,
 * page views, presence (stored and shared, offline after the last connection's grace period) and
 * the viewers list.
 */
import { DRAFT_THROTTLE_MS } from '@chat/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, USERS, visitorSession } from './helpers/realtime-users.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let server: ChatServer;
let db: ReturnType<typeof superuserSql>;
const open: TestClient[] = [];

beforeAll(async () => {
  server = await startChatServer({
    WIDGET_SESSION_RATE_LIMIT: '1000',
    HEARTBEAT_INTERVAL_MS: '1000',
    PRESENCE_GRACE_MS: '0',
  });
  db = superuserSql();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server?.close();
  await db?.end();
});

async function agent(user: { id: string; email: string }) {
  const client = await connect(server.url, agentToken(user), { origin: ADMIN_ORIGIN });
  open.push(client);
  await client.next('welcome');
  return client;
}

/** A visitor with a new Bookings conversation that agent1 has open. */
async function chatWithAgent1() {
  const session = await visitorSession(server.url);
  const visitor = await connect(server.url, session.token, { origin: SITE_ORIGIN });
  open.push(visitor);
  await visitor.next('welcome');
  visitor.send({ type: 'conversation.start', ref: 'start' });
  const { conversation } = await visitor.next('conversation', (f) => f.ref === 'start');
  const agent1 = await agent(USERS.agent1);
  agent1.send({ type: 'conversation.subscribe', ref: 'sub', conversationId: conversation.id, afterSeq: 0 });
  await agent1.next('sync', (f) => f.ref === 'sub');
  return { visitor, visitorId: session.visitorId, agent1, id: conversation.id };
}

describe('typing', () => {
  it('goes both ways, never back to the typist', async () => {
    const { visitor, visitorId, agent1, id } = await chatWithAgent1();
    visitor.send({ type: 'typing', conversationId: id, on: true });
    const atAgent = await agent1.next('typing');
    expect(atAgent).toMatchObject({ conversationId: id, on: true, from: { kind: 'visitor', id: visitorId } });
    agent1.send({ type: 'typing', conversationId: id, on: false });
    const atVisitor = await visitor.next('typing');
    expect(atVisitor).toMatchObject({
      on: false,
      from: { kind: 'agent', id: USERS.agent1.id, name: 'Tom Becker' },
    });
    expect(await visitor.none('typing', 200)).toBe(true);
    expect(await agent1.none('typing', 0)).toBe(true);
  });
});

describe('draft preview', () => {
  it('reaches agents throttled, ends on the latest text, and never reaches the visitor', async () => {
    const { visitor, agent1, id } = await chatWithAgent1();
    const texts = ['I', 'I w', 'I was', 'I was charged', 'I was charged twice'];
    for (const text of texts) visitor.send({ type: 'draft', conversationId: id, text });
    const first = await agent1.next('draft');
    expect(first.text).toBe('I');
    const last = await agent1.next('draft', undefined, DRAFT_THROTTLE_MS * 4);
    expect(last.text).toBe('I was charged twice');
    expect(await agent1.none('draft', DRAFT_THROTTLE_MS * 2)).toBe(true);
    expect(visitor.received.some((f) => f.type === 'draft')).toBe(false);
  });
});

describe('page views', () => {
  it("relay to agents of the visitor's open conversations and are remembered on the visitor", async () => {
    const { visitor, visitorId, agent1, id } = await chatWithAgent1();
    visitor.send({ type: 'page_view', ref: 'pv1', url: 'https://acmetravel.test/flights', title: 'Flights' });
    await visitor.next('ok', (f) => f.ref === 'pv1');
    visitor.send({
      type: 'page_view',
      ref: 'pv2',
      url: 'https://acmetravel.test/checkout',
      title: 'Checkout',
      conversationId: id,
    });
    await visitor.next('ok', (f) => f.ref === 'pv2');
    const first = await agent1.next('page_view');
    expect(first).toMatchObject({
      conversationId: id,
      visitorId,
      url: 'https://acmetravel.test/flights',
      title: 'Flights',
    });
    await agent1.next('page_view', (f) => f.title === 'Checkout');
    const [row] = await db`select attributes from public.visitors where id = ${visitorId}`;
    expect(row?.attributes).toMatchObject({
      current_url: 'https://acmetravel.test/checkout',
      current_title: 'Checkout',
      page_history: [{ url: 'https://acmetravel.test/flights' }, { url: 'https://acmetravel.test/checkout' }],
    });
    expect(visitor.received.some((f) => f.type === 'page_view')).toBe(false);
  });
});

describe('presence', () => {
  it('stores an agent’s status and tells colleagues of the same organization only', async () => {
    const agent3 = await agent(USERS.agent3);
    const colleague = await agent(USERS.owner);
    const contoso = await agent(USERS.contosoAgent);
    agent3.send({ type: 'presence.set', ref: 'p', status: 'away', maxChats: 99 });
    await agent3.next('ok', (f) => f.ref === 'p');
    const seen = await colleague.next('presence', (f) => f.userId === USERS.agent3.id);
    expect(seen.status).toBe('away');
    expect(await contoso.none('presence', 300)).toBe(true);
    const [row] = await db`
      select status, max_chats from public.agent_status where user_id = ${USERS.agent3.id}`;
    // Capped at the manager's limit for agent3 (4).
    expect(row).toMatchObject({ status: 'away', max_chats: 4 });
    const viewer = await agent(USERS.viewer);
    viewer.send({ type: 'presence.set', ref: 'vp', status: 'online' });
    expect((await viewer.next('error', (f) => f.ref === 'vp')).code).toBe('forbidden');
  });

  it('turns an agent offline after the grace period once their last connection is gone', async () => {
    const watcher = await agent(USERS.owner);
    const first = await agent(USERS.agent2);
    const second = await agent(USERS.agent2);
    first.send({ type: 'presence.set', ref: 'on', status: 'online' });
    await first.next('ok', (f) => f.ref === 'on');
    await watcher.next('presence', (f) => f.userId === USERS.agent2.id && f.status === 'online');

    await first.close();
    // One connection left: still online through a whole grace period.
    expect(await watcher.none('presence', 3000, (f) => f.userId === USERS.agent2.id)).toBe(true);
    await second.close();
    const offline = await watcher.next('presence', (f) => f.userId === USERS.agent2.id, 8000);
    expect(offline.status).toBe('offline');
    const [row] = await db`select status from public.agent_status where user_id = ${USERS.agent2.id}`;
    expect(row?.status).toBe('offline');
  }, 20_000);
});

describe('viewers', () => {
  it('lists the agents looking at a conversation, for agents only', async () => {
    const { visitor, agent1, id } = await chatWithAgent1();
    const manager = await agent(USERS.manager);
    manager.send({ type: 'conversation.subscribe', ref: 'sub', conversationId: id, afterSeq: 0 });
    await manager.next('sync', (f) => f.ref === 'sub');
    agent1.send({ type: 'viewing', conversationId: id, on: true });
    const list = await manager.next('viewers');
    expect(list).toEqual({
      type: 'viewers',
      conversationId: id,
      viewers: [{ userId: USERS.agent1.id, name: 'Tom Becker' }],
    });
    await agent1.close();
    const after = await manager.next('viewers');
    expect(after.viewers).toEqual([]);
    expect(visitor.received.some((f) => f.type === 'viewers')).toBe(false);
  });
});
