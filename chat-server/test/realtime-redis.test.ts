/**
 * Two chat-server instances sharing one real redis-server: a visitor on instance A and an agent on
 * instance B chat as if they were on one server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, USERS, visitorSession } from './helpers/realtime-users.ts';
import { type RedisServer, startRedisServer } from './helpers/redis-server.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let redis: RedisServer;
let a: ChatServer;
let b: ChatServer;
const open: TestClient[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { REDIS_URL: redis.url, WIDGET_SESSION_RATE_LIMIT: '1000' };
  [a, b] = await Promise.all([startChatServer(env), startChatServer(env)]);
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
});

describe('two instances through Redis', () => {
  it('delivers between a visitor on A and an agent on B, both ways, once each', async () => {
    expect(a.port).not.toBe(b.port);
    const agent = await connect(b.url, agentToken(USERS.agent1), { origin: ADMIN_ORIGIN });
    open.push(agent);
    await agent.next('welcome');

    const session = await visitorSession(a.url);
    const visitor = await connect(a.url, session.token, { origin: SITE_ORIGIN });
    open.push(visitor);
    await visitor.next('welcome');
    visitor.send({
      type: 'conversation.start',
      ref: 'start',
      firstMessage: { clientMsgId: 'v-1', body: 'Hello from instance A' },
    });
    const { conversation } = await visitor.next('conversation', (f) => f.ref === 'start');

    // The new chat reaches the agent on the other instance.
    await agent.next('conversation', (f) => f.conversation.id === conversation.id);
    agent.send({ type: 'conversation.subscribe', ref: 'sub', conversationId: conversation.id, afterSeq: 0 });
    const sync = await agent.next('sync', (f) => f.ref === 'sub');
    expect(sync.messages.map((m) => m.body)).toEqual(['Hello from instance A']);

    agent.send({
      type: 'message.send',
      ref: 'reply',
      conversationId: conversation.id,
      clientMsgId: 'a-1',
      body: 'Hi from B',
    });
    await agent.next('ack', (f) => f.ref === 'reply');
    const reply = await visitor.next('message', (f) => f.message.clientMsgId === 'a-1');
    expect(reply.message).toMatchObject({ seq: 2, senderKind: 'agent', body: 'Hi from B' });

    visitor.send({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: 'v-2',
      body: 'Thanks B',
    });
    const atAgent = await agent.next('message', (f) => f.message.clientMsgId === 'v-2');
    expect(atAgent.message.seq).toBe(3);

    visitor.send({ type: 'typing', conversationId: conversation.id, on: true });
    expect((await agent.next('typing')).from.kind).toBe('visitor');

    // Exactly once each: no echo doubles a message on either side. Both sides' own copies travel
    // through Redis too: wait for them (a fixed pause alone could end before they arrive on a busy
    // machine), then give a double the same pause to show up.
    await agent.next('message', (f) => f.message.clientMsgId === 'a-1');
    await visitor.next('message', (f) => f.message.clientMsgId === 'v-2');
    const seqs = (c: TestClient) => c.received.flatMap((f) => (f.type === 'message' ? [f.message.seq] : []));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seqs(agent)).toEqual([2, 3]);
    expect(seqs(visitor)).toEqual([1, 2, 3]);
  });

  it('after a Redis restart, a message sent meanwhile reaches the other instance exactly once', async () => {
    const agent = await connect(b.url, agentToken(USERS.agent1), { origin: ADMIN_ORIGIN });
    open.push(agent);
    await agent.next('welcome');
    const session = await visitorSession(a.url);
    const visitor = await connect(a.url, session.token, { origin: SITE_ORIGIN });
    open.push(visitor);
    await visitor.next('welcome');
    visitor.send({ type: 'conversation.start', ref: 'start' });
    const { conversation } = await visitor.next('conversation', (f) => f.ref === 'start');
    agent.send({ type: 'conversation.subscribe', ref: 'sub', conversationId: conversation.id, afterSeq: 0 });
    await agent.next('sync', (f) => f.ref === 'sub');

    const restarting = redis.restart();
    agent.send({
      type: 'message.send',
      ref: 'gap',
      conversationId: conversation.id,
      clientMsgId: 'gap-1',
      body: 'during the outage',
    });
    await agent.next('ack', (f) => f.ref === 'gap', 10_000);
    await restarting;
    // Delivered live if the publish waited for Redis, or by the resync that follows a reconnect.
    const got = await visitor.next('message', (f) => f.message.clientMsgId === 'gap-1', 15_000);
    expect(got.message.seq).toBe(1);
    agent.send({
      type: 'message.send',
      ref: 'after',
      conversationId: conversation.id,
      clientMsgId: 'after-1',
      body: 'back',
    });
    await visitor.next('message', (f) => f.message.clientMsgId === 'after-1', 10_000);
    expect(
      visitor.received.filter((f) => f.type === 'message' && f.message.clientMsgId === 'gap-1'),
    ).toHaveLength(1);
  }, 40_000);
});
