/**
 * An agent connection whose rights changed in the database (the admin app's way: straight SQL) is
 * closed with 4005 access_changed within a round (src/realtime/membership-watch.ts); the client
 * reconnects with its current rights, or is refused with 4003 once it is no longer a member.
 * Connections whose membership did not change stay up: connect and the rounds read a membership
 * with one definition (membership.ts), so an unchanged one compares equal.
 */
import { CloseCode } from '@chat/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken } from './helpers/realtime-users.ts';
import { createWorld, dropWorld, type World } from './helpers/routing-world.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let db: ReturnType<typeof superuserSql>;
let world: World;
let server: ChatServer;
const open: TestClient[] = [];

beforeAll(async () => {
  db = superuserSql();
  world = await createWorld(db, {
    groups: [{ name: 'Front' }, { name: 'Billing' }],
    agents: [
      { name: 'Gus', memberships: [{ group: 'Front' }, { group: 'Billing' }] },
      { name: 'Fay', memberships: [{ group: 'Front' }] },
      { name: 'Ida', memberships: [{ group: 'Billing' }, { group: 'Front' }] },
    ],
  });
  server = await startChatServer({ ACCESS_RECHECK_MS: '300' });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server?.close();
  if (world) await dropWorld(db, world);
  await db?.end();
});

async function connectAs(name: string) {
  const a = world.agents[name] as { id: string; email: string };
  const client = await connect(server.url, agentToken(a), { origin: ADMIN_ORIGIN });
  open.push(client);
  return client;
}

async function welcomeGroups(client: TestClient): Promise<string[]> {
  const welcome = await client.next('welcome');
  if (welcome.identity.kind !== 'agent') throw new Error('expected an agent identity');
  return [...welcome.identity.groupIds].sort();
}

/** Still connected and answered: a ping gets its pong. */
async function alive(client: TestClient, ref: string): Promise<void> {
  client.send({ type: 'ping', ref });
  await client.next('pong', (f) => f.ref === ref);
}

describe('membership watch', () => {
  it('closes a connection whose groups changed (4005); the reconnect has the current groups', async () => {
    const gus = await connectAs('Gus');
    const fay = await connectAs('Fay');
    const front = world.groups.Front as string;
    const billing = world.groups.Billing as string;
    expect(await welcomeGroups(gus)).toEqual([front, billing].sort());
    await welcomeGroups(fay);

    await db`delete from public.group_members where group_id = ${billing} and user_id = ${world.agents.Gus?.id as string}`;
    expect((await gus.closed).code).toBe(CloseCode.ACCESS_CHANGED);
    // Fay's membership did not change: several rounds later she is still connected.
    await new Promise((r) => setTimeout(r, 700));
    await alive(fay, 'fay-1');

    const again = await connectAs('Gus');
    expect(await welcomeGroups(again)).toEqual([front]);
    // The new connection matches the database: the rounds leave it alone.
    await new Promise((r) => setTimeout(r, 700));
    await alive(again, 'gus-1');
  });

  it('closes the connection of someone deactivated in the organization; reconnecting is refused (4003)', async () => {
    const fay = await connectAs('Fay');
    await welcomeGroups(fay);
    const fayId = world.agents.Fay?.id as string;
    await db`update public.org_members set active = false where org_id = ${world.orgId} and user_id = ${fayId}`;
    try {
      expect((await fay.closed).code).toBe(CloseCode.ACCESS_CHANGED);
      const refused = await connectAs('Fay');
      expect((await refused.closed).code).toBe(CloseCode.UNAUTHORIZED);
    } finally {
      await db`update public.org_members set active = true where org_id = ${world.orgId} and user_id = ${fayId}`;
    }
  });

  it('reads a membership at connect as the rounds do: two groups unchanged stay up, a new role closes (4005)', async () => {
    const ida = await connectAs('Ida');
    const welcome = await ida.next('welcome');
    if (welcome.identity.kind !== 'agent') throw new Error('expected an agent identity');
    // In id order as read, not re-sorted here: the order the rounds compare in.
    const groups = [world.groups.Front as string, world.groups.Billing as string].sort();
    expect(welcome.identity.groupIds).toEqual(groups);
    expect(welcome.identity.role).toBe('agent');
    // Several rounds (300 ms each) compare her two groups, role and client: nothing changed.
    await new Promise((r) => setTimeout(r, 1000));
    await alive(ida, 'ida-1');

    const idaId = world.agents.Ida?.id as string;
    await db`update public.org_members set role = 'manager' where org_id = ${world.orgId} and user_id = ${idaId}`;
    expect((await ida.closed).code).toBe(CloseCode.ACCESS_CHANGED);
    const again = await connectAs('Ida');
    const rewelcome = await again.next('welcome');
    expect(rewelcome.identity).toMatchObject({ kind: 'agent', role: 'manager', groupIds: groups });
  });
});
