/**
 * An agent of several organizations names the one they work in with `?org=` (the admin app's
 * organization switcher): the connection gets that membership's identity, new-chat events,
 * presence and token refreshes, and nothing of the other organization's. An organization they are
 * not an active member of is refused with 4003, a malformed id with 4000; without `org` they get
 * the organization they joined first, as before. Our own user, created and deleted here, is a
 * Contoso agent (joined first, Appointments group) and a Northwind manager.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import { readHandshake } from '../src/realtime/handshake.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import {
  ADMIN_ORIGIN,
  agentToken,
  ORG,
  SITE_ORIGIN,
  USERS,
  visitorSession,
} from './helpers/realtime-users.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

const APPOINTMENTS = '50000000-0000-4000-8000-000000000004';
const user = { id: randomUUID(), email: `two-orgs-${Date.now()}@realtime.test` };

let server: ChatServer;
let db: ReturnType<typeof superuserSql>;
const open: TestClient[] = [];

beforeAll(async () => {
  db = superuserSql();
  await db.begin(async (tx) => {
    await tx`insert into auth.users (instance_id, id, aud, role, email)
      values ('00000000-0000-0000-0000-000000000000', ${user.id}, 'authenticated', 'authenticated', ${user.email})`;
    // Contoso joined a day earlier: the default organization without `org`.
    await tx`insert into public.org_members (org_id, user_id, role, display_name, email, max_chats, created_at)
      values (${ORG.contoso}, ${user.id}, 'agent', 'Morgan (Contoso)', ${user.email}, 3, now() - interval '1 day'),
             (${ORG.northwind}, ${user.id}, 'manager', 'Morgan (Northwind)', ${user.email}, 3, now())`;
    await tx`insert into public.group_members (org_id, group_id, user_id, max_chats)
      values (${ORG.contoso}, ${APPOINTMENTS}, ${user.id}, 3)`;
    await tx`insert into public.agent_status (org_id, user_id, status, max_chats)
      values (${ORG.contoso}, ${user.id}, 'offline', 3), (${ORG.northwind}, ${user.id}, 'offline', 3)`;
  });
  server = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000' });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server?.close();
  await db`delete from public.group_members where user_id = ${user.id}`;
  await db`delete from public.agent_status where user_id = ${user.id}`;
  await db`delete from public.org_members where user_id = ${user.id}`;
  await db`delete from auth.users where id = ${user.id}`;
  await db.end();
});

/** Our user's connection to `org` (none: no parameter), past its welcome. */
async function agentIn(org: string | undefined, token = agentToken(user)) {
  const client = await connect(server.url, token, {
    origin: ADMIN_ORIGIN,
    ...(org ? { query: { org } } : {}),
  });
  open.push(client);
  return { client, welcome: await client.next('welcome') };
}

/** A visitor of `site` starts a chat; resolves the conversation id. */
async function startChat(site: string): Promise<string> {
  const visitor = await visitorSession(server.url, site);
  const client = await connect(server.url, visitor.token, { origin: SITE_ORIGIN });
  open.push(client);
  await client.next('welcome');
  const ref = `start-${site}`;
  client.send({
    type: 'conversation.start',
    ref,
    name: 'Ana',
    firstMessage: { clientMsgId: `first-${ref}`, body: 'Hello' },
  });
  return (await client.next('conversation', (f) => f.ref === ref)).conversation.id;
}

async function refusedWith(token: string, org: string) {
  const client = await connect(server.url, token, { origin: ADMIN_ORIGIN, query: { org } });
  return client.closed;
}

describe('choosing the organization with ?org=', () => {
  it('each connection gets the chosen membership and only its organization’s new chats', async () => {
    const contoso = await agentIn(ORG.contoso);
    expect(contoso.welcome.identity).toEqual({
      kind: 'agent',
      userId: user.id,
      orgId: ORG.contoso,
      role: 'agent',
      name: 'Morgan (Contoso)',
      groupIds: [APPOINTMENTS],
    });
    const northwind = await agentIn(ORG.northwind);
    expect(northwind.welcome.identity).toEqual({
      kind: 'agent',
      userId: user.id,
      orgId: ORG.northwind,
      role: 'manager',
      name: 'Morgan (Northwind)',
      groupIds: [],
    });

    const fabrikamChat = await startChat('fabrikam_health_demo'); // Contoso's site
    const acmeChat = await startChat('acme_travel_demo'); // Northwind's site
    await contoso.client.next('conversation', (f) => f.conversation.id === fabrikamChat);
    await northwind.client.next('conversation', (f) => f.conversation.id === acmeChat);
    expect(await contoso.client.none('conversation', 1000, (f) => f.conversation.id === acmeChat)).toBe(true);
    expect(await northwind.client.none('conversation', 300, (f) => f.conversation.id === fabrikamChat)).toBe(
      true,
    );
  });

  // Both on Northwind, the organization the user would not get without `org`.
  it('presence is set in the chosen organization only, and told to its colleagues only', async () => {
    const northwind = await agentIn(ORG.northwind);
    const contoso = await agentIn(ORG.contoso);
    // `away`, not `online`: an online agent could be offered other tests' chats.
    northwind.client.send({ type: 'presence.set', ref: 'away', status: 'away' });
    await northwind.client.next('ok', (f) => f.ref === 'away');
    const rows = await db<{ org_id: string; status: string }[]>`
      select org_id, status from public.agent_status where user_id = ${user.id} order by org_id`;
    expect(rows).toEqual([
      { org_id: ORG.northwind, status: 'away' },
      { org_id: ORG.contoso, status: 'offline' },
    ]);
    expect(
      await contoso.client.none('presence', 500, (f) => f.userId === user.id && f.status === 'away'),
    ).toBe(true);
  });

  it('auth.refresh checks the membership of the chosen organization (Northwind manager, not Contoso agent)', async () => {
    const northwind = await agentIn(ORG.northwind);
    northwind.client.send({ type: 'auth.refresh', ref: 'refresh', token: agentToken(user, 7200) });
    const answer = await Promise.race([
      northwind.client.next('ok', (f) => f.ref === 'refresh'),
      northwind.client.next('error', (f) => f.ref === 'refresh'),
    ]);
    expect(answer).toMatchObject({ type: 'ok', ref: 'refresh' });
  });

  it('without org: the organization joined first, as before', async () => {
    const { welcome } = await agentIn(undefined);
    expect(welcome.identity).toMatchObject({ orgId: ORG.contoso, role: 'agent' });
    const agent1 = await agentIn(undefined, agentToken(USERS.agent1));
    expect(agent1.welcome.identity).toMatchObject({ orgId: ORG.northwind, userId: USERS.agent1.id });
  });
});

describe('refused organizations', () => {
  it('4003 for an organization the user is not a member of, existing or not', async () => {
    const notMember = await refusedWith(agentToken(USERS.agent1), ORG.contoso);
    expect(notMember).toEqual({ code: 4003, reason: 'not an active member of that organization' });
    const unknown = await refusedWith(agentToken(user), randomUUID());
    expect(unknown).toEqual(notMember);
  });

  it('4003 for a membership that is no longer active; the other one still connects', async () => {
    await db`update public.org_members set active = false where user_id = ${user.id} and org_id = ${ORG.northwind}`;
    try {
      expect((await refusedWith(agentToken(user), ORG.northwind)).code).toBe(4003);
      const { welcome } = await agentIn(ORG.contoso);
      expect(welcome.identity).toMatchObject({ orgId: ORG.contoso });
    } finally {
      await db`update public.org_members set active = true where user_id = ${user.id} and org_id = ${ORG.northwind}`;
    }
  });

  it('4000 for an org that is not a UUID', async () => {
    for (const org of ['contoso', '', `${ORG.contoso}'--`]) {
      expect(await refusedWith(agentToken(user), org)).toEqual({
        code: 4000,
        reason: 'org must be an organization id (a UUID)',
      });
    }
  });

  it('visitors ignore org, even a malformed one', async () => {
    const visitor = await visitorSession(server.url);
    const client = await connect(server.url, visitor.token, {
      origin: SITE_ORIGIN,
      query: { org: 'nonsense' },
    });
    open.push(client);
    const welcome = await client.next('welcome');
    expect(welcome.identity).toMatchObject({ kind: 'visitor', visitorId: visitor.visitorId });
  });
});

describe('readHandshake', () => {
  it('passes org on as given, and leaves it out when absent', () => {
    expect(readHandshake(`/v1/ws?v=1&org=${ORG.contoso}`, 'chat, bearer.a.b.c')).toEqual({
      ok: true,
      token: 'a.b.c',
      org: ORG.contoso,
    });
    expect(readHandshake('/v1/ws?v=1', 'chat, bearer.a.b.c')).toStrictEqual({ ok: true, token: 'a.b.c' });
  });
});
