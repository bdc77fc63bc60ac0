/**
 * Two chat-server instances as separate OS processes sharing one real redis-server and the test
 * stack's Postgres: a visitor on A and an agent on B talk both ways; then A is killed with
 * SIGKILL while the visitor is sending a stream, and the visitor resumes on B (ResumingClient:
 * subscribe after lastSeq, resend the outbox with the same clientMsgIds). Nothing acked may be
 * lost, nothing may be stored or shown twice, and seq stays gap-free.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type InstanceProcess, startInstanceProcess } from './helpers/instance-process.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, USERS, visitorSession } from './helpers/realtime-users.ts';
import { type RedisServer, startRedisServer } from './helpers/redis-server.ts';
import { ResumingClient } from './helpers/resuming-client.ts';

const VISITOR_TOKEN_SECRET = 'failover-test-visitor-secret-shared-by-both-instances';

let redis: RedisServer;
let a: InstanceProcess;
let b: InstanceProcess;
let db: postgres.Sql;
const clients: ResumingClient[] = [];

function instance(label: string): Promise<InstanceProcess> {
  const supabase = inject('supabase');
  return startInstanceProcess({
    label,
    env: {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: supabase.dbUrl,
      SUPABASE_JWT_SECRET: supabase.jwtSecret,
      VISITOR_TOKEN_SECRET,
      REDIS_URL: redis.url,
      SHUTDOWN_GRACE_MS: '1000',
      // No routing sweep of the shared database every 2 s (see helpers/chat-server.ts): this test
      // needs none, and other files' chats are not these instances' to warn, close or offer.
      ROUTING_SWEEP_MS: '60000',
      LOG_LEVEL: 'info',
    },
    onLine: process.env.CHAT_TEST_VERBOSE === '1' ? (line) => console.log(line) : undefined,
  });
}

function client(opts: ConstructorParameters<typeof ResumingClient>[0]): ResumingClient {
  const c = new ResumingClient(opts);
  clients.push(c);
  return c;
}

interface StoredRow {
  seq: number;
  client_msg_id: string;
  sender_kind: string;
}

async function stored(conversationId: string): Promise<StoredRow[]> {
  return db<StoredRow[]>`
    select seq::int as seq, client_msg_id, sender_kind::text from public.messages
    where conversation_id = ${conversationId} order by seq`;
}

function duplicates<T>(values: T[]): T[] {
  const seen = new Set<T>();
  return values.filter((v) => {
    if (seen.has(v)) return true;
    seen.add(v);
    return false;
  });
}

beforeAll(async () => {
  redis = await startRedisServer();
  [a, b] = await Promise.all([instance('A'), instance('B')]);
  db = postgres(inject('supabase').dbUrl, { max: 2, onnotice: () => {} });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
  await db?.end({ timeout: 2 });
  await redis?.stop();
});

describe('two instances through Redis', () => {
  it('runs as two processes on different ports', () => {
    expect(a.port).not.toBe(b.port);
    expect(a.pid).not.toBe(b.pid);
  });

  it('a visitor on A and an agent on B exchange messages both ways', async () => {
    const session = await visitorSession(a.url, 'acme_travel_demo', SITE_ORIGIN);
    const visitor = client({ urls: [a.url], token: session.token, origin: SITE_ORIGIN, name: 'v' });
    const conversationId = await visitor.startConversation();
    const agent = client({
      urls: [b.url],
      token: agentToken(USERS.agent1),
      origin: ADMIN_ORIGIN,
      name: 'ag',
    });
    await agent.follow(conversationId);

    visitor.send('Hello from instance A');
    await agent.until(
      () => agent.shown.some((m) => m.body === 'Hello from instance A'),
      10_000,
      'visitor message',
    );
    agent.send('Hi, agent here on instance B');
    await visitor.until(
      () => visitor.shown.some((m) => m.body === 'Hi, agent here on instance B'),
      10_000,
      'agent reply',
    );

    expect(visitor.connections).toEqual([a.url]);
    expect(agent.connections).toEqual([b.url]);
    expect(agent.shown.map((m) => [m.seq, m.senderKind, m.body])).toEqual([
      [1, 'visitor', 'Hello from instance A'],
      [2, 'agent', 'Hi, agent here on instance B'],
    ]);
    expect(visitor.shown.map((m) => m.seq)).toEqual([1, 2]);
    expect((await stored(conversationId)).map((r) => r.seq)).toEqual([1, 2]);
  });

  it('kill -9 of A mid-conversation: the visitor resumes on B, nothing acked is lost or duplicated', async () => {
    const session = await visitorSession(b.url, 'acme_travel_demo', SITE_ORIGIN);
    // A load balancer would send the reconnect elsewhere; here the client tries A, then B.
    const visitor = client({ urls: [a.url, b.url], token: session.token, origin: SITE_ORIGIN, name: 'vis' });
    const conversationId = await visitor.startConversation();
    expect(visitor.connectedUrl).toBe(a.url);
    const agent = client({
      urls: [b.url],
      token: agentToken(USERS.agent1),
      origin: ADMIN_ORIGIN,
      name: 'agt',
    });
    await agent.follow(conversationId);

    // A steady stream from the visitor, one message every 5 ms, whatever happens to the socket.
    // Mid-stream a burst goes out and A dies a moment later, while some of it is in A's hands:
    // stored but not acked, or not even stored.
    const sent: string[] = [];
    let ackedAtKill = 0;
    for (let i = 0; i < 300; i++) {
      sent.push(visitor.send(`stream message ${sent.length + 1}`));
      if (i === 120) {
        for (let j = 0; j < 30; j++) sent.push(visitor.send(`burst message ${sent.length + 1}`));
        await new Promise((resolve) => setTimeout(resolve, 3));
        ackedAtKill = visitor.acks.size;
        await a.kill('SIGKILL');
      }
      if (i === 200) agent.send('Agent still here after the crash');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const total = sent.length;
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });

    await visitor.until(() => visitor.outbox.size === 0, 20_000, 'every message acked');
    const rows = await stored(conversationId);
    const lastSeq = rows.at(-1)?.seq ?? 0;
    await agent.until(() => agent.lastSeq >= lastSeq, 20_000, `agent caught up to seq ${lastSeq}`);
    await visitor.until(() => visitor.lastSeq >= lastSeq, 20_000, `visitor caught up to seq ${lastSeq}`);

    // The crash happened mid-stream: some sends were still unacked, and the visitor moved to B.
    expect(ackedAtKill).toBeGreaterThan(0);
    expect(ackedAtKill).toBeLessThan(151);
    expect(visitor.connections[0]).toBe(a.url);
    expect(visitor.connections.at(-1)).toBe(b.url);
    expect(visitor.connections.length).toBeGreaterThanOrEqual(2);

    // Database: every message exactly once, seq 1..n with no gap.
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(duplicates(rows.map((r) => r.client_msg_id))).toEqual([]);
    const visitorRows = rows.filter((r) => r.sender_kind === 'visitor').map((r) => r.client_msg_id);
    expect(visitorRows.sort()).toEqual([...sent].sort());
    expect(rows.filter((r) => r.sender_kind === 'agent')).toHaveLength(1);

    // Every send was acked once the outbox drained, with the seq the database holds.
    expect(visitor.acks.size).toBe(total);
    const seqByClientId = new Map(rows.map((r) => [r.client_msg_id, r.seq]));
    for (const id of sent) expect(visitor.acks.get(id)?.seq).toBe(seqByClientId.get(id));

    // What each side shows: all of it, in order, once, including the agent's post-crash reply.
    for (const side of [agent, visitor]) {
      expect(side.shown.map((m) => m.seq)).toEqual(rows.map((r) => r.seq));
      expect(duplicates(side.shown.map((m) => m.clientMsgId))).toEqual([]);
    }
    expect(visitor.shown.some((m) => m.body === 'Agent still here after the crash')).toBe(true);
    expect(visitor.errors).toEqual([]);
    expect(agent.errors).toEqual([]);
    // B stayed up throughout and the agent never had to reconnect.
    expect(agent.connections).toEqual([b.url]);
    expect(b.child.exitCode).toBeNull();
  }, 90_000);
});
