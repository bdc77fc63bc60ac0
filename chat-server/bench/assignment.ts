/**
 * Assignment latency: `npx tsx chat-server/bench/assignment.ts` (a script, not a test).
 *
 * 1,000 agents in 100 groups (10 per group, 6 chats each: 6,000 slots) are online as database rows
 * with a fresh heartbeat; a burst of 5,000 conversations arrives at once, spread at random over the
 * groups. Ours: THREE routing instances (the server's own routing module, each with its own pool
 * and a Redis pub/sub, exactly as createRealtime wires it) race to schedule them; each arrival is
 * inserted and announced to one instance at random, as conversation.start does. The reference: the
 * bare SQL assignment loop (pick a queued chat `for update skip locked`, the least-loaded member of
 * its group with a free slot `for update skip locked`, insert the offer), three workers, no server,
 * on a second identical organization in the same run. Latency per conversation = offer.created_at −
 * conversation.created_at, both from the database clock.
 *
 * Agents are rows, not sockets: offers are published to pub/sub either way, and the socket path is
 * what bench/latency.ts measures; 1,000 more sockets would measure the box, not the scheduler.
 *
 * Knobs: BENCH_AGENTS (1000), BENCH_GROUPS (100), BENCH_ARRIVALS (5000), BENCH_VERBOSE=1.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { loadConfig } from '../src/config.ts';
import { insertConversation } from '../src/conversations/queries.ts';
import { createSql, type Sql } from '../src/db/sql.ts';
import { createLogger } from '../src/logger.ts';
import { createMailer } from '../src/mail/index.ts';
import { createPubSub } from '../src/pubsub/index.ts';
import { createConversationFeed } from '../src/realtime/conversation-feed.ts';
import { createOutbound } from '../src/realtime/outbound.ts';
import { Registry } from '../src/realtime/registry.ts';
import { createViewers } from '../src/realtime/viewers.ts';
import { createRouting, type Routing } from '../src/routing/index.ts';
import { createFileStorage } from '../src/storage/index.ts';
import { startBenchStack } from './lib/stack.ts';
import { fmt, percentile, ratio, sleep } from './lib/stats.ts';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const AGENTS = num('BENCH_AGENTS', 1000);
const GROUPS = num('BENCH_GROUPS', 100);
const ARRIVALS = num('BENCH_ARRIVALS', 5000);
const SLOTS = 6;
const INSTANCES = 3;

interface Org {
  orgId: string;
  clientId: string;
  siteId: string;
  groups: string[];
  visitors: string[];
}

async function createOrg(admin: postgres.Sql, label: string): Promise<Org> {
  const org: Org = {
    orgId: randomUUID(),
    clientId: randomUUID(),
    siteId: randomUUID(),
    groups: [],
    visitors: [],
  };
  const tag = org.orgId.slice(0, 8);
  await admin`insert into public.organizations (id, name, slug) values (${org.orgId}, ${label}, ${`bench-${tag}`})`;
  await admin`insert into public.clients (org_id, id, name) values (${org.orgId}, ${org.clientId}, 'Bench client')`;
  for (let g = 0; g < GROUPS; g++) org.groups.push(randomUUID());
  await admin`insert into public.groups ${admin(org.groups.map((id, i) => ({ org_id: org.orgId, id, name: `Group ${i}`, routing_mode: 'auto', offer_timeout_seconds: 600 })))}`;
  await admin`insert into public.sites (org_id, client_id, id, name, site_key, allowed_domains, default_group_id)
    values (${org.orgId}, ${org.clientId}, ${org.siteId}, 'bench.test', ${`bench_${tag}`}, '{localhost}', ${org.groups[0] as string})`;
  const users = Array.from({ length: AGENTS }, (_, i) => ({ id: randomUUID(), i }));
  for (let i = 0; i < users.length; i += 500) {
    const chunk = users.slice(i, i + 500);
    await admin`insert into auth.users ${admin(chunk.map((u) => ({ instance_id: '00000000-0000-0000-0000-000000000000', id: u.id, aud: 'authenticated', role: 'authenticated', email: `a${u.i}-${tag}@bench.test` })))}`;
    await admin`insert into public.org_members ${admin(chunk.map((u) => ({ org_id: org.orgId, user_id: u.id, role: 'agent', display_name: `Agent ${u.i}`, max_chats: SLOTS })))}`;
    await admin`insert into public.agent_status ${admin(chunk.map((u) => ({ org_id: org.orgId, user_id: u.id, status: 'online', max_chats: SLOTS, last_seen_at: new Date() })))}`;
    await admin`insert into public.group_members ${admin(chunk.map((u) => ({ org_id: org.orgId, group_id: org.groups[u.i % GROUPS] as string, user_id: u.id, max_chats: SLOTS })))}`;
  }
  const visitors = Array.from({ length: ARRIVALS }, () => randomUUID());
  for (let i = 0; i < visitors.length; i += 1000) {
    await admin`insert into public.visitors ${admin(visitors.slice(i, i + 1000).map((id) => ({ org_id: org.orgId, client_id: org.clientId, site_id: org.siteId, id })))}`;
  }
  org.visitors = visitors;
  return org;
}

/** Random group per arrival, the same sequence for ours and the reference. */
function arrivalsPlan(): number[] {
  let seed = 42;
  return Array.from({ length: ARRIVALS }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed >>> 8) % GROUPS;
  });
}

async function latencies(admin: postgres.Sql, orgId: string) {
  const rows = await admin<{ ms: number }[]>`
    select extract(epoch from (o.created_at - c.created_at)) * 1000 as ms
    from public.conversation_offers o join public.conversations c on c.id = o.conversation_id
    where o.org_id = ${orgId} and o.status = 'pending'`;
  const ms = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  const [span] = await admin<{ s: number }[]>`
    select extract(epoch from (max(o.created_at) - min(c.created_at))) as s
    from public.conversation_offers o join public.conversations c on c.id = o.conversation_id where o.org_id = ${orgId}`;
  return { ms, seconds: Number(span?.s ?? Number.NaN) };
}

/** Waits until `count` offers exist for the org or nothing moved for 3 s. */
async function waitOffers(admin: postgres.Sql, orgId: string, expected: number): Promise<void> {
  let last = -1;
  let still = 0;
  for (;;) {
    const [r] = await admin<
      { n: number }[]
    >`select count(*)::int as n from public.conversation_offers where org_id = ${orgId}`;
    const n = r?.n ?? 0;
    if (n >= expected) return;
    still = n === last ? still + 1 : 0;
    if (still >= 15) return;
    last = n;
    await sleep(200);
  }
}

async function runOurs(
  admin: postgres.Sql,
  dbUrl: string,
  redisUrl: string,
  org: Org,
  plan: number[],
): Promise<void> {
  const log = createLogger(process.env.BENCH_VERBOSE === '1' ? 'info' : 'silent');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    ROUTING_SWEEP_MS: '1000',
    HEARTBEAT_INTERVAL_MS: '60000',
    VISITOR_LEFT_GRACE_MS: '3600000',
  });
  const instances: { sql: Sql; routing: Routing; close: () => Promise<void> }[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const sql = createSql({ url: dbUrl, role: 'chat_server', max: 10 });
    const pubsub = await createPubSub({ redisUrl });
    const registry = new Registry();
    const outbound = createOutbound({ maxBufferedBytes: 1 << 20, end: () => {} });
    const feed = createConversationFeed({
      sql,
      pubsub,
      log,
      registry,
      outbound,
      viewers: createViewers(),
      attachments: { storage: createFileStorage(config), ttlSeconds: 60 },
    });
    const routing = createRouting({ sql, log, config, feed, registry, mailer: createMailer(config) });
    instances.push({
      sql,
      routing,
      close: async () => {
        routing.close();
        feed.close();
        await pubsub.close();
        await sql.end();
      },
    });
  }
  // The burst: every arrival at once (64 in flight), each announced to one instance at random.
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < plan.length) {
        const i = next++;
        const inst = instances[i % INSTANCES] as (typeof instances)[number];
        const ref = await insertConversation(inst.sql, {
          orgId: org.orgId,
          clientId: org.clientId,
          siteId: org.siteId,
          visitorId: org.visitors[i] as string,
          groupId: org.groups[plan[i] as number] as string,
          topic: '',
        });
        inst.routing.enqueued(ref);
      }
    }),
  );
  await waitOffers(admin, org.orgId, expectedOffers(plan));
  await Promise.all(instances.map((i) => i.routing.settled()));
  for (const i of instances) await i.close();
}

/** Offers possible: per group, min(arrivals, slots). */
function expectedOffers(plan: number[]): number {
  const perGroup = new Map<number, number>();
  for (const g of plan) perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
  const slots = (AGENTS / GROUPS) * SLOTS;
  let n = 0;
  for (const c of perGroup.values()) n += Math.min(c, slots);
  return n;
}

/** The bare reference: the same burst, three plain SQL workers, no server code at all. */
async function runReference(dbUrl: string, org: Org, plan: number[]): Promise<void> {
  const sql = postgres(dbUrl, {
    max: 13,
    onnotice: () => {},
    connection: { options: '-c role=chat_server' } as Record<string, string>,
  });
  let inserted = 0;
  let done = false;
  const inserter = (async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < plan.length) {
          const i = next++;
          await sql`insert into public.conversations (org_id, client_id, site_id, visitor_id, group_id, status)
          values (${org.orgId}, ${org.clientId}, ${org.siteId}, ${org.visitors[i] as string}, ${org.groups[plan[i] as number] as string}, 'queued')`;
          inserted++;
        }
      }),
    );
  })();
  // Like ours, each worker drains one group at a time (the (group_id, queued_at) queue index).
  let turn = 0;
  const worker = async () => {
    for (let idle = 0; idle < GROUPS * 2; ) {
      const groupId = org.groups[turn++ % org.groups.length] as string;
      // A chat picked just after another worker's commit can pass the "no pending offer" check on
      // the old snapshot; the unique index then refuses the second offer (retry, like ours).
      const got = await sql
        .begin(async (tx) => {
          const [c] = await tx<{ id: string; group_id: string }[]>`
          select c.id, c.group_id from public.conversations c
          where c.group_id = ${groupId} and c.status = 'queued'
            and not exists (select 1 from public.conversation_offers o where o.conversation_id = c.id and o.status = 'pending')
          order by c.queued_at limit 1 for update skip locked`;
          if (!c) return false;
          const [a] = await tx<{ user_id: string }[]>`
          select s.user_id from public.group_members gm
          join public.agent_status s on s.org_id = gm.org_id and s.user_id = gm.user_id and s.status = 'online'
          where gm.group_id = ${c.group_id}
            and (select count(*) from public.conversation_offers o where o.user_id = gm.user_id and o.status = 'pending') < gm.max_chats
          order by (select count(*) from public.conversation_offers o where o.user_id = gm.user_id and o.status = 'pending')
          limit 1 for update of s skip locked`;
          if (!a) {
            await tx`update public.conversations set status = 'offline' where id = ${c.id}`; // parked: no slot
            return true;
          }
          await tx`insert into public.conversation_offers (org_id, conversation_id, user_id, expires_at)
          values (${org.orgId}, ${c.id}, ${a.user_id}, now() + interval '10 minutes')`;
          return true;
        })
        .catch((error: { code?: string }) => {
          if (error.code === '23505') return true;
          throw error;
        });
      if (got) idle = 0;
      else if (done) idle++;
      else await sleep(1);
    }
  };
  const workers = Promise.all(Array.from({ length: INSTANCES }, worker));
  await inserter;
  done = inserted >= plan.length;
  await workers;
  await sql.end();
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(`assignment bench: ${AGENTS} agents, ${GROUPS} groups, burst of ${ARRIVALS}\n`);
  const stack = await startBenchStack();
  try {
    const plan = arrivalsPlan();
    const ours = await createOrg(stack.admin, 'Bench ours');
    const ref = await createOrg(stack.admin, 'Bench reference');
    // Both sides start from fresh planner statistics. Without this the reference inherited
    // whatever autovacuum had analyzed during our run: while ours took 80 s it started with
    // statistics of full tables; once ours took 7 s it started with none, and its prepared plans
    // went bad as its burst filled the tables (up to 4× slower).
    await stack.admin`analyze`;
    await runOurs(stack.admin, stack.dbUrl, stack.redisUrl, ours, plan);
    const a = await latencies(stack.admin, ours.orgId);
    await stack.admin`analyze`;
    await runReference(stack.dbUrl, ref, plan);
    const b = await latencies(stack.admin, ref.orgId);
    const [over] = await stack.admin<{ n: number }[]>`
      select count(*)::int as n from public.agent_status s where s.org_id = ${ours.orgId}
        and private.agent_load(s.org_id, s.user_id) > s.max_chats`;
    const [twice] = await stack.admin<{ n: number }[]>`
      select count(*)::int as n from (select conversation_id from public.conversation_offers where org_id = ${ours.orgId}
        and status = 'pending' group by 1 having count(*) > 1) t`;
    const statuses = await stack.admin<{ status: string; n: number }[]>`
      select status, count(*)::int as n from public.conversation_offers where org_id = ${ours.orgId} group by 1`;
    process.stdout.write(`ours, offers by status: ${statuses.map((r) => `${r.status} ${r.n}`).join(', ')}\n`);
    const row = (m: string, x: string, y: string, r: string) => `| ${m} | ${x} | ${y} | ${r} |`;
    const lines = [
      '| Metric | Ours (3 routing instances) | Bare SQL loop (3 workers) | Ours / ref |',
      '| --- | ---: | ---: | ---: |',
      row('offers made', fmt(a.ms.length), fmt(b.ms.length), ''),
      row(
        'assignment latency p50 (ms)',
        fmt(percentile(a.ms, 50), 1),
        fmt(percentile(b.ms, 50), 1),
        ratio(percentile(a.ms, 50), percentile(b.ms, 50)),
      ),
      row(
        'assignment latency p99 (ms)',
        fmt(percentile(a.ms, 99), 1),
        fmt(percentile(b.ms, 99), 1),
        ratio(percentile(a.ms, 99), percentile(b.ms, 99)),
      ),
      row('burst fully offered in (s)', fmt(a.seconds, 2), fmt(b.seconds, 2), ratio(a.seconds, b.seconds)),
      row('offers per second', fmt(a.ms.length / a.seconds), fmt(b.ms.length / b.seconds), ''),
      row('agents over their limit / chats offered twice', `${over?.n ?? '?'} / ${twice?.n ?? '?'}`, '', ''),
    ];
    process.stdout.write(
      `\n${lines.join('\n')}\n\n(expected offers: ${expectedOffers(plan)}; ${((Date.now() - started) / 1000).toFixed(0)} s in all)\n`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
