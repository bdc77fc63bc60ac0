/**
 * The routing invariants under a race, as a property (fast-check): random agents (limits, groups,
 * languages, accept/decline/claim habits) on THREE chat-server instances sharing one Redis and one
 * Postgres, and a random burst of arrivals spread over the instances. Every instance schedules at
 * once, agents accept and decline offers and claim from the queue concurrently. Then, in SQL:
 *   1. nothing is assigned twice (one assignee participant, one accepted offer, one "joined" line);
 *   2. no agent is over their limit, at the end and at every moment the sampler looked
 *      (active chats + pending offers ≤ least(own, manager's, group limit));
 *   3. nothing is lost: every arrival is active with its one assignee, or still queued — and then
 *      no eligible agent with a free slot remains for it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, visitorSession } from './helpers/realtime-users.ts';
import { type RedisServer, startRedisServer } from './helpers/redis-server.ts';
import { createWorld, dropWorld, type World } from './helpers/routing-world.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let redis: RedisServer;
let servers: ChatServer[] = [];
let db: ReturnType<typeof superuserSql>;

beforeAll(async () => {
  db = superuserSql();
  redis = await startRedisServer();
  servers = await Promise.all(
    [0, 1, 2].map(() =>
      startChatServer({ REDIS_URL: redis.url, WIDGET_SESSION_RATE_LIMIT: '10000', ROUTING_SWEEP_MS: '200' }),
    ),
  );
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await redis?.stop();
  await db?.end();
});

const LANGS = [[], ['en'], ['de'], ['en', 'de']] as const;

const agentArb = fc.record({
  orgMax: fc.integer({ min: 1, max: 3 }),
  ownMax: fc.integer({ min: 1, max: 3 }),
  groups: fc.subarray([0, 1], { minLength: 1 }),
  groupMax: fc.integer({ min: 1, max: 3 }),
  languages: fc.constantFrom(...LANGS),
  instance: fc.integer({ min: 0, max: 2 }),
  /** How the agent answers offers. */
  habit: fc.constantFrom('accept', 'accept', 'accept', 'decline-first', 'claim'),
});

const arrivalArb = fc.record({
  group: fc.integer({ min: 0, max: 1 }),
  language: fc.constantFrom('', 'en', 'de'),
  instance: fc.integer({ min: 0, max: 2 }),
  delayMs: fc.integer({ min: 0, max: 40 }),
});

type AgentSpec = fc.Arbitrary<typeof agentArb extends fc.Arbitrary<infer T> ? T : never>;
type Agent = AgentSpec extends fc.Arbitrary<infer T> ? T : never;
type Arrival = typeof arrivalArb extends fc.Arbitrary<infer T> ? T : never;

async function runScenario(agents: Agent[], arrivals: Arrival[]): Promise<void> {
  const groupNames = ['G0', 'G1'];
  const world: World = await createWorld(db, {
    groups: groupNames.map((name) => ({ name, mode: 'auto' as const, offerTimeoutSeconds: 5 })),
    agents: agents.map((a, i) => ({
      name: `A${i}`,
      orgMax: a.orgMax,
      ownMax: a.ownMax,
      memberships: a.groups.map((g) => ({
        group: groupNames[g] as string,
        maxChats: a.groupMax,
        languages: [...a.languages],
      })),
    })),
    site: { topics: groupNames.map((g) => ({ label: g, group: g })) },
  });
  const clients: TestClient[] = [];
  const violations: string[] = [];
  let sampling = true;
  try {
    // Agents connect to their instance, go online, and act on every offer / queue frame they get.
    await Promise.all(
      agents.map(async (spec, i) => {
        const user = world.agents[`A${i}`] as { id: string; email: string };
        const server = servers[spec.instance] as ChatServer;
        const client = await connect(server.url, agentToken(user), { origin: ADMIN_ORIGIN });
        clients.push(client);
        await client.next('welcome');
        const declined = new Set<string>();
        client.ws.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as { type: string; [k: string]: unknown };
          if (frame.type === 'offer') {
            const entry = frame.entry as { conversationId: string };
            const decline = spec.habit === 'decline-first' && !declined.has(entry.conversationId);
            declined.add(entry.conversationId);
            client.send({
              type: decline ? 'offer.decline' : 'offer.accept',
              offerId: frame.offerId,
              conversationId: entry.conversationId,
            });
          } else if (frame.type === 'queue' && spec.habit === 'claim') {
            const head = (frame.entries as { conversationId: string }[])[0];
            if (head) client.send({ type: 'queue.claim', conversationId: head.conversationId });
          }
        });
        client.send({ type: 'presence.set', ref: 'on', status: 'online' });
        await client.next('ok', (f) => f.ref === 'on');
      }),
    );

    // The sampler: load ≤ limit at every moment it looks.
    const sampler = (async () => {
      while (sampling) {
        const over = await db<{ user_id: string; load: number; cap: number }[]>`
          select s.user_id,
                 (select count(*)::int from public.conversations c
                   where c.assignee_id = s.user_id and c.status = 'active')
               + (select count(*)::int from public.conversation_offers o
                   where o.user_id = s.user_id and o.status = 'pending' and o.kind in ('assignment', 'transfer')) as load,
                 least(s.max_chats, m.max_chats,
                       (select max(gm.max_chats) from public.group_members gm where gm.user_id = s.user_id)) as cap
          from public.agent_status s join public.org_members m on m.org_id = s.org_id and m.user_id = s.user_id
          where s.org_id = ${world.orgId}`;
        for (const o of over) if (o.load > o.cap) violations.push(`${o.user_id}: ${o.load} > ${o.cap}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    // The burst: visitors on random instances, all at about the same time.
    await Promise.all(
      arrivals.map(async (a, i) => {
        const server = servers[a.instance] as ChatServer;
        const session = await visitorSession(server.url, world.siteKey);
        const v = await connect(server.url, session.token, { origin: SITE_ORIGIN });
        clients.push(v);
        await v.next('welcome');
        await new Promise((r) => setTimeout(r, a.delayMs));
        v.send({
          type: 'conversation.start',
          ref: 's',
          topic: groupNames[a.group],
          ...(a.language ? { language: a.language } : {}),
          firstMessage: { clientMsgId: `m${i}`, body: `arrival ${i}` },
        });
        await v.next('conversation', (f) => f.ref === 's', 10_000);
      }),
    );

    await quiescent(world);
    sampling = false;
    await sampler;

    // 1. Nothing assigned twice.
    const twice = await db`
      select c.id,
             (select count(*) from public.conversation_participants p where p.conversation_id = c.id and p.role = 'assignee') as assignees,
             (select count(*) from public.conversation_offers o where o.conversation_id = c.id and o.status = 'accepted') as accepted,
             (select count(*) from public.messages m where m.conversation_id = c.id and m.payload ->> 'event' = 'agent_joined') as joined
      from public.conversations c where c.org_id = ${world.orgId}`;
    for (const row of twice) {
      expect(Number(row.assignees), `assignees of ${row.id}`).toBeLessThanOrEqual(1);
      expect(Number(row.accepted), `accepted offers of ${row.id}`).toBeLessThanOrEqual(1);
      expect(Number(row.joined), `joined lines of ${row.id}`).toBeLessThanOrEqual(1);
    }
    // 2. No agent over their limit, ever.
    expect(violations).toEqual([]);
    // 3. Nothing lost.
    const all = await db<{ status: string; assignee_id: string | null; participant: string | null }[]>`
      select c.status::text as status, c.assignee_id,
             (select p.user_id from public.conversation_participants p
               where p.conversation_id = c.id and p.role = 'assignee' and p.left_at is null) as participant
      from public.conversations c where c.org_id = ${world.orgId}`;
    expect(all).toHaveLength(arrivals.length);
    for (const c of all) {
      expect(['queued', 'active']).toContain(c.status);
      if (c.status === 'active') expect(c.participant).toBe(c.assignee_id);
    }
    expect(await assignableLeft(world)).toBe(0);
  } finally {
    sampling = false;
    await Promise.all(clients.map((c) => c.close()));
    await dropWorld(db, world);
  }
}

/** Queued chats that an online agent could still take (free slot, group, language, not just declined). */
async function assignableLeft(world: World): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from public.conversations c
    where c.org_id = ${world.orgId} and c.status = 'queued' and exists (
      select 1 from public.group_members gm
      join public.agent_status s on s.org_id = gm.org_id and s.user_id = gm.user_id and s.status = 'online'
      join public.org_members m on m.org_id = gm.org_id and m.user_id = gm.user_id
      where gm.group_id = c.group_id
        and (c.language = '' or cardinality(gm.languages) = 0 or c.language = any(gm.languages))
        and (select count(*) from public.conversations a where a.assignee_id = gm.user_id and a.status = 'active')
          + (select count(*) from public.conversation_offers o
              where o.user_id = gm.user_id and o.status = 'pending' and o.kind in ('assignment', 'transfer'))
          < least(s.max_chats, m.max_chats, gm.max_chats)
        and not exists (select 1 from public.conversation_offers d where d.conversation_id = c.id
                         and d.user_id = gm.user_id and d.status = 'declined'))`;
  return row?.n ?? 0;
}

/** Waits until no offer is pending and nothing assignable is left, twice in a row. */
async function quiescent(world: World): Promise<void> {
  const deadline = Date.now() + 20_000;
  let calm = 0;
  while (Date.now() < deadline) {
    const [p] = await db<{ n: number }[]>`select count(*)::int as n from public.conversation_offers
      where org_id = ${world.orgId} and status = 'pending'`;
    calm = (p?.n ?? 0) === 0 && (await assignableLeft(world)) === 0 ? calm + 1 : 0;
    if (calm >= 3) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  const queued = await db`select c.id, c.group_id, c.language,
      (select json_agg(json_build_object('user', o.user_id, 'status', o.status, 'kind', o.kind))
         from public.conversation_offers o where o.conversation_id = c.id) as offers
    from public.conversations c where c.org_id = ${world.orgId} and c.status = 'queued'`;
  const agents = await db`select s.user_id, s.status, s.max_chats, m.max_chats as org_max,
      (select json_agg(json_build_object('g', gm.group_id, 'max', gm.max_chats, 'langs', gm.languages))
         from public.group_members gm where gm.user_id = s.user_id) as groups,
      (select count(*) from public.conversations a where a.assignee_id = s.user_id and a.status = 'active') as active
    from public.agent_status s join public.org_members m using (org_id, user_id) where s.org_id = ${world.orgId}`;
  throw new Error(
    `routing did not settle within 20 s; assignable left: ${await assignableLeft(world)}\n` +
      `queued: ${JSON.stringify(queued)}\nagents: ${JSON.stringify(agents)}`,
  );
}

describe('routing across three instances (property)', () => {
  it('never assigns twice, never exceeds a limit, never loses a conversation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(agentArb, { minLength: 2, maxLength: 6 }),
        fc.array(arrivalArb, { minLength: 4, maxLength: 18 }),
        runScenario,
      ),
      { numRuns: 5, endOnFailure: true },
    );
  }, 240_000);

  it('the capacity trigger refuses an offer over the limit, whoever writes it', async () => {
    const world = await createWorld(db, {
      groups: [{ name: 'G' }],
      agents: [{ name: 'Solo', orgMax: 1, memberships: [{ group: 'G', maxChats: 1 }] }],
    });
    try {
      const solo = world.agents.Solo?.id as string;
      const [visitor] = await db`insert into public.visitors (org_id, client_id, site_id)
        values (${world.orgId}, ${world.clientId}, ${world.siteId}) returning id`;
      const conv = async () =>
        (
          await db`insert into public.conversations (org_id, client_id, site_id, visitor_id, group_id, status)
            values (${world.orgId}, ${world.clientId}, ${world.siteId}, ${visitor?.id as string}, ${world.groups.G as string}, 'queued') returning id`
        )[0]?.id as string;
      const offer = (
        c: string,
      ) => db`insert into public.conversation_offers (org_id, conversation_id, user_id, expires_at)
        values (${world.orgId}, ${c}, ${solo}, now() + interval '1 minute')`;
      await offer(await conv());
      await expect(offer(await conv())).rejects.toMatchObject({
        code: '23514',
        constraint_name: 'agent_capacity',
      });
      // A direct assignment counts too.
      await expect(
        db`update public.conversations set status = 'active', assignee_id = ${solo} where id = ${await conv()}`,
      ).rejects.toMatchObject({ constraint_name: 'agent_capacity' });
    } finally {
      await dropWorld(db, world);
    }
  });
});
