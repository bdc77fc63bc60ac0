/**
 * How an agent's last connection ends decides how soon colleagues (and routing) see them offline:
 * a clean close (1000/1001: tab closed) after the short PRESENCE_LEAVE_GRACE_MS, an abrupt drop
 * (no close frame) only after the long PRESENCE_GRACE_MS. Two instances share a real redis-server
 * and the test stack's Postgres; every test uses its own organization (routing-world.ts), so the
 * seeded agents other files rely on are never touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, visitorSession } from './helpers/realtime-users.ts';
import { type RedisServer, startRedisServer } from './helpers/redis-server.ts';
import { createWorld, dropWorld, type World } from './helpers/routing-world.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

const LEAVE_GRACE_MS = 1000;
const LONG_GRACE_MS = 10_000;
/** Longer than the short grace, so only the departure probe (not a routine heartbeat stamp) can keep her online. */
const HEARTBEAT_MS = 5000;

let redis: RedisServer;
let a: ChatServer;
let b: ChatServer;
let db: ReturnType<typeof superuserSql>;
const worlds: World[] = [];
const open: TestClient[] = [];

beforeAll(async () => {
  db = superuserSql();
  redis = await startRedisServer();
  const env = {
    REDIS_URL: redis.url,
    WIDGET_SESSION_RATE_LIMIT: '1000',
    HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
    PRESENCE_GRACE_MS: String(LONG_GRACE_MS),
    PRESENCE_LEAVE_GRACE_MS: String(LEAVE_GRACE_MS),
    ROUTING_SWEEP_MS: '300',
  };
  [a, b] = await Promise.all([startChatServer(env), startChatServer(env)]);
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
  for (const world of worlds) await dropWorld(db, world);
  await db?.end();
});

/** An organization with agent Ann and manager Max (who watches presence), both in group Sales. */
async function newWorld(): Promise<World> {
  const world = await createWorld(db, {
    groups: [{ name: 'Sales', mode: 'auto', offerTimeoutSeconds: 60 }],
    agents: [
      { name: 'Ann', memberships: [{ group: 'Sales' }] },
      { name: 'Max', role: 'manager', memberships: [] },
    ],
  });
  worlds.push(world);
  return world;
}

async function agentOn(server: ChatServer, world: World, name: string): Promise<TestClient> {
  const client = await connect(server.url, agentToken(world.agents[name] as { id: string; email: string }), {
    origin: ADMIN_ORIGIN,
  });
  open.push(client);
  await client.next('welcome');
  return client;
}

/** Ann online on instance A, watched by Max on instance B. */
async function annOnlineOnA() {
  const world = await newWorld();
  const annId = (world.agents.Ann as { id: string }).id;
  const watcher = await agentOn(b, world, 'Max');
  const ann = await agentOn(a, world, 'Ann');
  ann.send({ type: 'presence.set', ref: 'on', status: 'online' });
  await ann.next('ok', (f) => f.ref === 'on');
  await watcher.next('presence', (f) => f.userId === annId && f.status === 'online');
  return { world, annId, watcher, ann };
}

async function statusOf(world: World, userId: string): Promise<string | undefined> {
  const [row] = await db<{ status: string }[]>`
    select status from public.agent_status where org_id = ${world.orgId} and user_id = ${userId}`;
  return row?.status;
}

/** Closes like a browser tab does (1001 going away) and waits until the close handshake is done. */
async function closeTab(client: TestClient): Promise<void> {
  client.ws.close(1001);
  await client.closed;
}

describe('an agent whose last connection closes cleanly', () => {
  it('is offline on the other instance within the short grace (1001, tab closed)', async () => {
    const { world, annId, watcher, ann } = await annOnlineOnA();
    const start = Date.now();
    await closeTab(ann);
    const offline = await watcher.next('presence', (f) => f.userId === annId, LONG_GRACE_MS - 1000);
    const elapsed = Date.now() - start;
    expect(offline.status).toBe('offline');
    expect(elapsed).toBeGreaterThanOrEqual(LEAVE_GRACE_MS - 50);
    // Well under the long grace (10 s) is the point; the slack is for a loaded CI machine.
    expect(elapsed).toBeLessThan(LEAVE_GRACE_MS + 3000);
    expect(await statusOf(world, annId)).toBe('offline');
  });

  it('is offline within the short grace after a normal close (1000) too', async () => {
    const { annId, watcher, ann } = await annOnlineOnA();
    const start = Date.now();
    await ann.close();
    const offline = await watcher.next('presence', (f) => f.userId === annId, LONG_GRACE_MS - 1000);
    expect(offline.status).toBe('offline');
    expect(Date.now() - start).toBeLessThan(LEAVE_GRACE_MS + 3000);
  });

  it('stays online while another connection on the other instance holds them (the probe is answered)', async () => {
    const { world, annId, watcher, ann } = await annOnlineOnA();
    const second = await agentOn(b, world, 'Ann');
    // Stamps of both instances' heartbeats are older than the departure: only the probe saves her.
    await closeTab(ann);
    expect(await watcher.none('presence', LEAVE_GRACE_MS + 1500, (f) => f.userId === annId)).toBe(true);
    expect(await statusOf(world, annId)).toBe('online');
    await closeTab(second);
    expect((await watcher.next('presence', (f) => f.userId === annId, 4000)).status).toBe('offline');
  });

  it('stays online through a reload: close 1001, then reconnect at once (other instance, then the same)', async () => {
    const { world, annId, watcher, ann } = await annOnlineOnA();
    await closeTab(ann);
    const onB = await agentOn(b, world, 'Ann');
    await closeTab(onB);
    await agentOn(b, world, 'Ann');
    expect(await watcher.none('presence', LEAVE_GRACE_MS + 2000, (f) => f.userId === annId)).toBe(true);
    expect(await statusOf(world, annId)).toBe('online');
  });

  it('gets no more offers: a pending one is revoked and a new chat is not offered to her', async () => {
    const { world, annId, ann } = await annOnlineOnA();
    const first = await startChat(world);
    const offer = await ann.next('offer', (f) => f.entry.conversationId === first, 8000);
    await closeTab(ann);
    await waitFor(async () => {
      const [row] = await db<{ status: string }[]>`
        select status from public.conversation_offers where id = ${offer.offerId}`;
      return row?.status !== 'pending';
    }, LEAVE_GRACE_MS + 3000);
    const second = await startChat(world);
    // Several routing sweeps (300 ms) on both instances: nobody eligible, so no offer for the chat.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const offers = await db`
      select id from public.conversation_offers
      where conversation_id in (${first}, ${second}) and user_id = ${annId} and status = 'pending'`;
    expect(offers).toHaveLength(0);
    const [chat] = await db<
      { status: string }[]
    >`select status from public.conversations where id = ${second}`;
    expect(chat?.status).toBe('queued');
  }, 20_000);
});

describe('an agent whose last connection drops without a close frame', () => {
  it('stays online through the short grace and goes offline only after the long one', async () => {
    const { world, annId, watcher, ann } = await annOnlineOnA();
    const start = Date.now();
    ann.ws.terminate();
    expect(await watcher.none('presence', LEAVE_GRACE_MS + 2000, (f) => f.userId === annId)).toBe(true);
    expect(await statusOf(world, annId)).toBe('online');
    const offline = await watcher.next('presence', (f) => f.userId === annId, LONG_GRACE_MS + 4000);
    expect(offline.status).toBe('offline');
    expect(Date.now() - start).toBeGreaterThanOrEqual(LONG_GRACE_MS - 50);
  }, 20_000);
});

let chats = 0;
/** A visitor of the world's site starts a chat (it lands in Sales); returns its id. */
async function startChat(world: World): Promise<string> {
  const session = await visitorSession(a.url, world.siteKey);
  const visitor = await connect(a.url, session.token, { origin: SITE_ORIGIN });
  open.push(visitor);
  await visitor.next('welcome');
  const ref = `s${++chats}`;
  visitor.send({ type: 'conversation.start', ref, firstMessage: { clientMsgId: ref, body: 'Hello?' } });
  return (await visitor.next('conversation', (f) => f.ref === ref)).conversation.id;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
