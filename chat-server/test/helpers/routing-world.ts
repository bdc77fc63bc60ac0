/**
 * A routing test's own organization: groups, agents (with their limits, languages and skills),
 * a client and a site, written with the superuser. Each test file (each property run) gets a fresh
 * one, so seeded agents and other test files' chats never meet its queues.
 */
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { isRetryable } from '../../src/routing/errors.ts';

export interface GroupSpec {
  name: string;
  mode?: 'auto' | 'manual';
  offerTimeoutSeconds?: number;
}

export interface AgentSpec {
  name: string;
  role?: 'agent' | 'manager';
  /** org_members.max_chats (the manager's ceiling). */
  orgMax?: number;
  /** agent_status.max_chats (the agent's own choice, at most orgMax). */
  ownMax?: number;
  memberships: { group: string; maxChats?: number; languages?: string[]; skills?: string[] }[];
}

export interface World {
  orgId: string;
  clientId: string;
  siteId: string;
  siteKey: string;
  groups: Record<string, string>;
  agents: Record<string, { id: string; email: string; name: string }>;
}

export async function createWorld(
  db: postgres.Sql,
  spec: {
    groups: GroupSpec[];
    agents: AgentSpec[];
    site?: {
      idleWarningMinutes?: number;
      idleCloseMinutes?: number;
      rules?: object[];
      defaultGroup?: string;
      topics?: { label: string; group: string }[];
    };
  },
): Promise<World> {
  const orgId = randomUUID();
  const tag = orgId.slice(0, 8);
  const world: World = {
    orgId,
    clientId: randomUUID(),
    siteId: randomUUID(),
    siteKey: `rt_${tag}`,
    groups: {},
    agents: {},
  };
  for (const g of spec.groups) world.groups[g.name] = randomUUID();
  for (const a of spec.agents) {
    const id = randomUUID();
    world.agents[a.name] = { id, email: `${a.name.toLowerCase()}-${tag}@routing.test`, name: a.name };
  }
  await db.begin(async (tx) => {
    await tx`insert into public.organizations (id, name, slug) values (${orgId}, ${`Routing ${tag}`}, ${`routing-${tag}`})`;
    await tx`insert into public.clients (org_id, id, name) values (${orgId}, ${world.clientId}, 'Routing client')`;
    for (const g of spec.groups) {
      await tx`insert into public.groups (org_id, id, name, routing_mode, offer_timeout_seconds)
        values (${orgId}, ${world.groups[g.name] as string}, ${g.name}, ${g.mode ?? 'auto'}, ${g.offerTimeoutSeconds ?? 30})`;
    }
    for (const a of spec.agents) {
      const agent = world.agents[a.name] as { id: string; email: string };
      const orgMax = a.orgMax ?? 5;
      await tx`insert into auth.users (instance_id, id, aud, role, email)
        values ('00000000-0000-0000-0000-000000000000', ${agent.id}, 'authenticated', 'authenticated', ${agent.email})`;
      await tx`insert into public.org_members (org_id, user_id, role, display_name, email, max_chats)
        values (${orgId}, ${agent.id}, ${a.role ?? 'agent'}, ${a.name}, ${agent.email}, ${orgMax})`;
      await tx`insert into public.agent_status (org_id, user_id, status, max_chats)
        values (${orgId}, ${agent.id}, 'offline', ${Math.min(a.ownMax ?? orgMax, orgMax)})`;
      for (const m of a.memberships) {
        await tx`insert into public.group_members (org_id, group_id, user_id, max_chats, languages, skills)
          values (${orgId}, ${world.groups[m.group] as string}, ${agent.id}, ${m.maxChats ?? 5},
                  ${m.languages ?? []}, ${m.skills ?? []})`;
      }
    }
    const site = spec.site ?? {};
    const defaultGroup = site.defaultGroup ?? spec.groups[0]?.name;
    await tx`insert into public.sites (org_id, client_id, id, name, site_key, allowed_domains, topics, default_group_id,
                                       routing_rules, idle_warning_minutes, idle_close_minutes)
      values (${orgId}, ${world.clientId}, ${world.siteId}, ${`routing-${tag}.test`}, ${world.siteKey}, '{localhost}',
              ${tx.json((site.topics ?? []).map((t) => ({ label: t.label, group_id: world.groups[t.group] })))},
              ${defaultGroup ? (world.groups[defaultGroup] as string) : null},
              ${tx.json((site.rules ?? []) as postgres.JSONValue)},
              ${site.idleWarningMinutes ?? 10}, ${site.idleCloseMinutes ?? 15})`;
  });
  return world;
}

/**
 * Removes the organization (everything cascades) and its users. The chat servers may still be
 * routing in it (a sweep, an expiring offer, a disconnect's requeue) while the cascade locks its
 * conversations in another order, so Postgres can pick the delete as a deadlock's victim: it is
 * run again, the way routing itself retries (src/routing/errors.ts).
 */
export async function dropWorld(db: postgres.Sql, world: World): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db`delete from public.organizations where id = ${world.orgId}`;
      break;
    } catch (error) {
      if (!isRetryable(error) || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
  const ids = Object.values(world.agents).map((a) => a.id);
  await db`delete from auth.users where id = any(${ids}::uuid[])`;
}

/** Marks agents online with a fresh heartbeat, the way presence.set does, straight in SQL. */
export async function setOnline(db: postgres.Sql, world: World, names: string[]): Promise<void> {
  const ids = names.map((n) => world.agents[n]?.id as string);
  await db`update public.agent_status set status = 'online', last_seen_at = now()
    where org_id = ${world.orgId} and user_id = any(${ids}::uuid[])`;
}
