/**
 * Robustness over real sockets: malformed frames answered one by one without dropping the
 * connection, rate limits, a slow consumer closed without stalling others, heartbeats ending dead
 * peers, and shutdown telling clients to reconnect.
 */
import { MAX_FRAME_BYTES } from '@chat/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, USERS, visitorSession } from './helpers/realtime-users.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

const servers: ChatServer[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function server(env: Record<string, string> = {}) {
  const s = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000', ...env });
  servers.push(s);
  return s;
}

async function visitorOn(s: ChatServer) {
  const session = await visitorSession(s.url);
  const client = await connect(s.url, session.token, { origin: SITE_ORIGIN });
  clients.push(client);
  await client.next('welcome');
  return client;
}

async function agentOn(s: ChatServer, user: { id: string; email: string } = USERS.agent1, options = {}) {
  const client = await connect(s.url, agentToken(user), { origin: ADMIN_ORIGIN, ...options });
  clients.push(client);
  await client.next('welcome');
  return client;
}

/** 1,000 frames of every malformed kind, in a fixed rotation. */
function malformed(i: number): string {
  const id = crypto.randomUUID();
  switch (i % 8) {
    case 0:
      return '{"type": "message.send", ';
    case 1:
      return `{"type":"no.such.frame","ref":"m${i}"}`;
    case 2:
      return JSON.stringify({
        type: 'message.send',
        ref: `m${i}`,
        conversationId: id,
        clientMsgId: 'x',
        body: 42,
      });
    case 3:
      return JSON.stringify({ type: 'typing', ref: `m${i}`, conversationId: 'not-a-uuid', on: true });
    case 4:
      return JSON.stringify({ type: 'ping', ref: `m${i}`, extra: true });
    case 5:
      return '[1,2,3]';
    case 6:
      return JSON.stringify({ type: 'ping', ref: `m${i}`, pad: 'x'.repeat(MAX_FRAME_BYTES) });
    default:
      return JSON.stringify({ type: 'read', ref: `m${i}`, conversationId: id, seq: -1 });
  }
}

describe('malformed frames', () => {
  let s: ChatServer;
  beforeAll(async () => {
    s = await server();
  });

  it('answers each of 1,000 malformed frames with an error and keeps the connection', async () => {
    const client = await visitorOn(s);
    for (let i = 0; i < 1000; i++) client.send(malformed(i));
    const codes = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const error = await client.next('error', undefined, 10_000);
      codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).toEqual({
      bad_json: 125,
      unknown_type: 250,
      invalid_frame: 500,
      frame_too_large: 125,
    });
    const named = client.received.find(
      (f) => f.type === 'error' && f.code === 'invalid_frame' && f.message.includes('"body"'),
    );
    expect(named?.type === 'error' && named.message).toMatch(/expected string, received number/);
    // Still up and still served.
    client.send({ type: 'ping', ref: 'alive' });
    await client.next('pong', (f) => f.ref === 'alive');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(await client.none('error', 200)).toBe(true);
  });

  it('closes with 1009 above the transport cap', async () => {
    const client = await visitorOn(s);
    client.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(1024 * 1024 + 10) }));
    expect((await client.closed).code).toBe(1009);
  });
});

describe('rate limits', () => {
  it('drops frames over the limit with rate_limited, then closes a client that keeps going with 4029', async () => {
    const s = await server({ WS_RATE_LIMIT_PER_CONNECTION: '20' });
    const client = await visitorOn(s);
    for (let i = 0; i < 30; i++) client.send({ type: 'ping', ref: `p${i}` });
    for (let i = 0; i < 20; i++) await client.next('pong');
    for (let i = 0; i < 10; i++) expect((await client.next('error')).code).toBe('rate_limited');
    for (let i = 0; i < 30; i++) client.send({ type: 'ping' });
    expect((await client.closed).code).toBe(4029);
  });

  it('limits all connections of one IP together', async () => {
    const s = await server({ WS_RATE_LIMIT_PER_IP: '10' });
    const a = await visitorOn(s);
    const b = await visitorOn(s);
    for (let i = 0; i < 6; i++) a.send({ type: 'ping', ref: `a${i}` });
    for (let i = 0; i < 6; i++) b.send({ type: 'ping', ref: `b${i}` });
    // 12 frames against a shared limit of 10: each one answered, exactly 2 refused.
    const answered = () =>
      [...a.received, ...b.received].filter((f) => f.type === 'pong' || f.type === 'error');
    await expect.poll(() => answered().length).toBe(12);
    expect(answered().filter((f) => f.type === 'error' && f.code === 'rate_limited')).toHaveLength(2);
  });
});

describe('slow consumers', () => {
  it('closes a reader that stops reading with 4013 while another reader gets everything', async () => {
    const s = await server({
      WS_SEND_BUFFER_BYTES: String(256 * 1024),
      WS_RATE_LIMIT_PER_CONNECTION: '5000',
    });
    const visitor = await visitorOn(s);
    visitor.send({
      type: 'conversation.start',
      ref: 's',
      firstMessage: { clientMsgId: 's0', body: 'start' },
    });
    const { conversation } = await visitor.next('conversation', (f) => f.ref === 's');
    const slow = await agentOn(s, USERS.agent1);
    const fast = await agentOn(s, USERS.manager);
    for (const c of [slow, fast]) {
      c.send({ type: 'conversation.subscribe', ref: 'sub', conversationId: conversation.id, afterSeq: 0 });
      await c.next('sync', (f) => f.ref === 'sub');
    }
    // The slow reader's TCP socket stops reading: the server's send buffer for it fills up.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    // Paced by acks, as a real sender is: readers that keep reading never fall behind.
    const count = 400;
    const body = 'y'.repeat(19_000);
    for (let i = 1; i <= count; i++) {
      visitor.send({
        type: 'message.send',
        ref: `f${i}`,
        conversationId: conversation.id,
        clientMsgId: `flood-${i}`,
        body,
      });
      await visitor.next('ack', (f) => f.ref === `f${i}`);
    }
    for (let i = 1; i <= count; i++)
      await fast.next('message', (f) => f.message.clientMsgId === `flood-${i}`);
    expect(fast.ws.readyState).toBe(fast.ws.OPEN);

    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code } = await slow.closed;
    expect(code).toBe(4013);
    const gotBySlow = slow.received.filter((f) => f.type === 'message').length;
    expect(gotBySlow).toBeLessThan(count);
  }, 60_000);
});

describe('heartbeats', () => {
  it('terminates a peer that stops answering pings and keeps one that answers', async () => {
    const s = await server({ HEARTBEAT_INTERVAL_MS: '1000' });
    const dead = await agentOn(s, USERS.agent2, { wsOptions: { autoPong: false } });
    const alive = await agentOn(s, USERS.agent3);
    const started = Date.now();
    const { code } = await dead.closed;
    expect(code).toBe(1006);
    expect(Date.now() - started).toBeLessThan(4500);
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    alive.send({ type: 'ping', ref: 'still' });
    await alive.next('pong', (f) => f.ref === 'still');
  });
});

describe('shutdown', () => {
  it('sends 4012 service_restart to every connected client', async () => {
    const s = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000' });
    const v = await visitorOn(s);
    const a = await agentOn(s);
    await s.close();
    expect(await v.closed).toEqual({ code: 4012, reason: 'service_restart' });
    expect((await a.closed).code).toBe(4012);
  });
});
