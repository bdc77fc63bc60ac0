/**
 * Routing over real sockets against the real database: queue position and estimated wait, offers
 * (accept, decline, timeout → next agent), manual pick with a claim race, and the figures the
 * chat server fills for analytics. Every test builds its own organization (routing-world.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, visitorSession } from './helpers/realtime-users.ts';
import { createWorld, dropWorld, type World } from './helpers/routing-world.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let server: ChatServer;
let db: ReturnType<typeof superuserSql>;
let world: World;
const open: TestClient[] = [];

beforeAll(async () => {
  db = superuserSql();
  world = await createWorld(db, {
    groups: [
      { name: 'Sales', mode: 'auto', offerTimeoutSeconds: 5 },
      { name: 'Support', mode: 'manual' },
    ],
    agents: [
      { name: 'Ada', memberships: [{ group: 'Sales', maxChats: 2 }, { group: 'Support' }] },
      { name: 'Ben', memberships: [{ group: 'Sales', maxChats: 2 }, { group: 'Support' }] },
      { name: 'Cy', memberships: [{ group: 'Sales', languages: ['de'] }] },
    ],
    site: {
      topics: [
        { label: 'Buy', group: 'Sales' },
        { label: 'Help', group: 'Support' },
      ],
      defaultGroup: 'Sales',
    },
  });
  server = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000', ROUTING_SWEEP_MS: '300' });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server?.close();
  await dropWorld(db, world);
  await db?.end();
});

async function agent(name: string, status: 'online' | 'away' | 'offline' = 'online') {
  const a = world.agents[name] as { id: string; email: string };
  const client = await connect(server.url, agentToken(a), { origin: ADMIN_ORIGIN });
  open.push(client);
  await client.next('welcome');
  client.send({ type: 'presence.set', ref: `p-${name}`, status });
  await client.next('ok', (f) => f.ref === `p-${name}`);
  return Object.assign(client, { userId: a.id });
}

let n = 0;
async function visitorChat(topic: string, extra: Record<string, unknown> = {}) {
  const session = await visitorSession(server.url, world.siteKey);
  const client = await connect(server.url, session.token, { origin: SITE_ORIGIN });
  open.push(client);
  await client.next('welcome');
  const ref = `s${++n}`;
  client.send({
    type: 'conversation.start',
    ref,
    topic,
    name: `Visitor ${n}`,
    firstMessage: { clientMsgId: `first-${n}`, body: `Question number ${n}` },
    ...extra,
  });
  const started = await client.next('conversation', (f) => f.ref === ref);
  return {
    client,
    conversationId: started.conversation.id,
    started: started.conversation,
    visitorId: session.visitorId,
  };
}

/** Whom the conversation's pending offer is for (polls: the scheduler runs in the background). */
async function pendingOfferUser(conversationId: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const [o] = await db<{ user_id: string }[]>`select user_id from public.conversation_offers
      where conversation_id = ${conversationId} and status = 'pending'`;
    if (o) return o.user_id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no pending offer');
}

async function setOffline(...names: string[]) {
  const ids = names.map((x) => world.agents[x]?.id as string);
  await db`update public.agent_status set status = 'offline' where user_id = any(${ids}::uuid[])`;
}

describe('queue and offers (automatic group)', () => {
  it('queues the chat with a position, offers it to an online agent, and assigns it on accept', async () => {
    await setOffline('Ada', 'Ben', 'Cy');
    const v = await visitorChat('Buy');
    expect(v.started.status).toBe('queued');
    expect(v.started.queuePosition).toBe(1);
    // Nobody online: no estimate (the widget may offer the offline form).
    expect(v.started.estimatedWaitSeconds).toBeNull();

    const ada = await agent('Ada');
    const offer = await ada.next('offer', (f) => f.entry.conversationId === v.conversationId, 8000);
    expect(offer.kind).toBe('assignment');
    expect(offer.entry.firstMessage).toContain('Question number');
    expect(offer.entry.visitor.name).toMatch(/^Visitor /);
    expect(Date.parse(offer.expiresAt)).toBeGreaterThan(Date.now());

    ada.send({ type: 'offer.accept', ref: 'acc1', offerId: offer.offerId, conversationId: v.conversationId });
    const accepted = await ada.next('conversation', (f) => f.ref === 'acc1');
    expect(accepted.conversation.status).toBe('active');
    expect(accepted.conversation.assignee?.userId).toBe(ada.userId);
    expect(accepted.conversation.participants).toEqual([
      expect.objectContaining({ userId: ada.userId, role: 'assignee' }),
    ]);
    // The visitor sees the agent join (a persisted system line) and the new state.
    const joined = await v.client.next('message', (f) => f.message.senderKind === 'system');
    expect(joined.message.payload.event).toBe('agent_joined');
    await v.client.next('conversation', (f) => f.conversation.status === 'active');

    const [row] =
      await db`select assigned_at, queued_at from public.conversations where id = ${v.conversationId}`;
    expect(row?.assigned_at).toBeInstanceOf(Date);
    // Accepting the same offer again is a conflict.
    ada.send({ type: 'offer.accept', ref: 'acc2', offerId: offer.offerId, conversationId: v.conversationId });
    expect((await ada.next('error', (f) => f.ref === 'acc2')).code).toBe('conflict');
    await setOffline('Ada');
  });

  it('tells waiting visitors their place and an estimate, and updates it when the queue moves', async () => {
    await setOffline('Ada', 'Ben', 'Cy');
    const first = await visitorChat('Buy');
    const second = await visitorChat('Buy');
    expect(second.started.queuePosition).toBe((first.started.queuePosition ?? 0) + 1);
    const ben = await agent('Ben');
    // Ben is online: the second visitor now gets an estimate pushed while still waiting.
    const offer = await ben.next('offer', (f) => f.entry.conversationId === first.conversationId, 8000);
    const pushed = await second.client.next(
      'conversation',
      (f) => f.conversation.status === 'queued' && f.conversation.estimatedWaitSeconds !== null,
      8000,
    );
    expect(pushed.conversation.estimatedWaitSeconds).toBeGreaterThanOrEqual(0);
    ben.send({
      type: 'offer.accept',
      ref: 'b1',
      offerId: offer.offerId,
      conversationId: first.conversationId,
    });
    await ben.next('conversation', (f) => f.ref === 'b1');
    // The first left the queue: the second moves up.
    const moved = await second.client.next(
      'conversation',
      (f) => f.conversation.queuePosition === (second.started.queuePosition ?? 2) - 1,
      8000,
    );
    expect(moved.conversation.status).toBe('queued');
    // Ben has a free slot left (limit 2): the second chat is offered to him too.
    const next = await ben.next('offer', (f) => f.entry.conversationId === second.conversationId, 8000);
    ben.send({
      type: 'offer.accept',
      ref: 'b2',
      offerId: next.offerId,
      conversationId: second.conversationId,
    });
    await ben.next('conversation', (f) => f.ref === 'b2');
    // At his limit now (2 active): a third chat is not offered to him.
    const third = await visitorChat('Buy');
    expect(await ben.none('offer', 1500, (f) => f.entry.conversationId === third.conversationId)).toBe(true);
    await db`update public.conversations set status = 'closed', closed_at = now() where org_id = ${world.orgId} and status <> 'closed'`;
    await setOffline('Ben');
  });

  it('moves to the next agent when an offer is declined, and again when one times out', async () => {
    await setOffline('Ada', 'Ben', 'Cy');
    const ada = await agent('Ada');
    const ben = await agent('Ben');
    const v = await visitorChat('Buy');
    const firstUser = await pendingOfferUser(v.conversationId);
    const firstAgent = firstUser === ada.userId ? ada : ben;
    const first = {
      a: firstAgent,
      o: await firstAgent.next('offer', (f) => f.entry.conversationId === v.conversationId),
    };
    const other = first.a === ada ? ben : ada;
    first.a.send({
      type: 'offer.decline',
      ref: 'd1',
      offerId: first.o.offerId,
      conversationId: v.conversationId,
      reason: 'busy',
    });
    await first.a.next('ok', (f) => f.ref === 'd1');
    // Declined: the other agent gets it at once (the decliner is left out for a minute).
    const second = await other.next('offer', (f) => f.entry.conversationId === v.conversationId, 4000);
    // The other agent lets it run out (5 s): revoked with `timeout`, and it is offered again.
    const revoked = await other.next('offer.revoked', (f) => f.offerId === second.offerId, 9000);
    expect(revoked.reason).toBe('timeout');
    const [expired] = await db`select status from public.conversation_offers where id = ${second.offerId}`;
    expect(expired?.status).toBe('expired');
    const third = await other.next('offer', (f) => f.entry.conversationId === v.conversationId, 5000);
    expect(third.offerId).not.toBe(second.offerId);
    other.send({
      type: 'offer.accept',
      ref: 'acc',
      offerId: third.offerId,
      conversationId: v.conversationId,
    });
    expect((await other.next('conversation', (f) => f.ref === 'acc')).conversation.status).toBe('active');
    await db`update public.conversations set status = 'closed', closed_at = now() where org_id = ${world.orgId} and status <> 'closed'`;
    await setOffline('Ada', 'Ben');
  }, 30_000);

  it('offers a German chat only to an agent who speaks German, and never to an agent who is away', async () => {
    await setOffline('Ada', 'Ben', 'Cy');
    const ada = await agent('Ada', 'away');
    const cy = await agent('Cy');
    const v = await visitorChat('Buy', { language: 'de-AT' });
    const offer = await cy.next('offer', (f) => f.entry.conversationId === v.conversationId, 8000);
    expect(offer.entry.language).toBe('de-AT');
    expect(await ada.none('offer', 500)).toBe(true);
    cy.send({ type: 'offer.decline', offerId: offer.offerId, conversationId: v.conversationId });
    // Away: Ada still gets nothing; the chat waits.
    expect(await ada.none('offer', 1200, (f) => f.entry.conversationId === v.conversationId)).toBe(true);
    const [c] = await db`select status from public.conversations where id = ${v.conversationId}`;
    expect(c?.status).toBe('queued');
    await db`update public.conversations set status = 'closed', closed_at = now() where org_id = ${world.orgId} and status <> 'closed'`;
    await setOffline('Ada', 'Cy');
  });
});

describe('manual pick', () => {
  it('shows the queue with a visitor preview, and of two agents claiming at once exactly one wins', async () => {
    await setOffline('Ada', 'Ben', 'Cy');
    const ada = await agent('Ada');
    const ben = await agent('Ben');
    const v = await visitorChat('Help', { url: 'https://shop.test/cart' });
    // Manual group: no offers, a queue frame with the preview.
    const queue = await ada.next(
      'queue',
      (f) => f.entries.some((e) => e.conversationId === v.conversationId),
      5000,
    );
    const entry = queue.entries.find((e) => e.conversationId === v.conversationId);
    expect(entry).toMatchObject({ groupId: world.groups.Support, pageUrl: 'https://shop.test/cart' });
    expect(entry?.firstMessage).toContain('Question number');
    expect(await ada.none('offer', 300)).toBe(true);

    ada.send({ type: 'queue.claim', ref: 'c-a', conversationId: v.conversationId });
    ben.send({ type: 'queue.claim', ref: 'c-b', conversationId: v.conversationId });
    const answers = await Promise.all([
      Promise.race([
        ada.next('conversation', (f) => f.ref === 'c-a'),
        ada.next('error', (f) => f.ref === 'c-a'),
      ]),
      Promise.race([
        ben.next('conversation', (f) => f.ref === 'c-b'),
        ben.next('error', (f) => f.ref === 'c-b'),
      ]),
    ]);
    const won = answers.filter((f) => f.type === 'conversation');
    const lost = answers.filter((f) => f.type === 'error');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ code: 'conflict' });
    const [c] = await db`select assignee_id, status from public.conversations where id = ${v.conversationId}`;
    const [{ count }] = (await db`select count(*)::int as count from public.conversation_participants
      where conversation_id = ${v.conversationId} and role = 'assignee'`) as unknown as [{ count: number }];
    expect(c?.status).toBe('active');
    expect(count).toBe(1);
    await setOffline('Ada', 'Ben');
  });
});

describe('figures per conversation', () => {
  it('fills wait, first response, handling, message counts and rating for conversation_metrics', async () => {
    await setOffline('Ada', 'Ben', 'Cy');
    const ada = await agent('Ada');
    const v = await visitorChat('Help');
    ada.send({ type: 'queue.claim', ref: 'm1', conversationId: v.conversationId });
    await ada.next('conversation', (f) => f.ref === 'm1');
    ada.send({
      type: 'message.send',
      ref: 'm2',
      conversationId: v.conversationId,
      clientMsgId: 'a-1',
      body: 'Hello!',
    });
    await ada.next('ack', (f) => f.ref === 'm2');
    v.client.send({ type: 'conversation.close', ref: 'm3', conversationId: v.conversationId });
    await v.client.next('conversation', (f) => f.ref === 'm3');
    v.client.send({
      type: 'conversation.rate',
      ref: 'm4',
      conversationId: v.conversationId,
      rating: 4,
      comment: 'ok',
    });
    await v.client.next('ok', (f) => f.ref === 'm4');
    const [m] =
      await db`select * from public.conversation_metrics where conversation_id = ${v.conversationId}`;
    expect(m).toMatchObject({ visitor_messages: 1, agent_messages: 1, rating: 4, assignee_id: ada.userId });
    expect(m?.wait_seconds).toBeGreaterThanOrEqual(0);
    expect(m?.first_response_seconds).toBeGreaterThanOrEqual(0);
    expect(m?.handling_seconds).toBeGreaterThanOrEqual(0);
    // Closing freed the slot and refreshed Ada's scoring figures.
    const [stats] = await db`select chats_counted, last_assigned_at from private.agent_routing_stats
      where user_id = ${ada.userId}`;
    expect(stats?.chats_counted).toBeGreaterThanOrEqual(1);
    expect(stats?.last_assigned_at).toBeInstanceOf(Date);
    await setOffline('Ada');
  });
});
