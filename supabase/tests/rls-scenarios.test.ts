import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonClient, serviceClient, signedInClient, superuserSql } from './helpers/index.ts';
import { expectPermissionDenied, expectRlsViolation } from './rls/attempt.ts';
import { leftovers } from './rls/fixtures.ts';
import {
  countRows,
  createAuthUser,
  deleteAuthUsers,
  insertRow,
  type Match,
  type Row,
  readRows,
  runTag,
  snapshot,
} from './rls/sql.ts';
import { CLIENT, GROUP, ORG, TENANT_RELATIONS, USER } from './rls/world.ts';

/**
 * The cases the issue names explicitly, each spelled out against the seed: cross-client and
 * cross-group visibility, role changes, cross-tenant inserts (forged org_id and forged parents),
 * anon, owners, the agent's chat ceiling, create_organization() and deactivation.
 */

let sql: postgres.Sql;
const tag = runTag();
// Logins of our own: one with no membership (to be added), one that founds an organization.
const spareUser = randomUUID();
const founder = randomUUID();
const founderEmail = `rls-${tag}-founder@fixture.test`;
const as: Record<string, SupabaseClient> = {};

beforeAll(async () => {
  sql = superuserSql();
  await createAuthUser(sql, spareUser, `rls-${tag}-spare@fixture.test`);
  await createAuthUser(sql, founder, founderEmail);
  const logins = {
    owner: 'owner@northwind.test',
    admin: 'admin@northwind.test',
    manager: 'manager@northwind.test',
    agent1: 'agent1@northwind.test',
    agent2: 'agent2@northwind.test',
    agent3: 'agent3@northwind.test',
    viewer: 'viewer@acme.test',
    contosoOwner: 'owner@contoso.test',
    founder: founderEmail,
  };
  for (const [name, email] of Object.entries(logins)) as[name] = await signedInClient(email);
  // The seed has no attachments, calls, offers or e-mails: give anon something to fail to read.
  const [conversation] =
    await sql`select org_id, id from public.conversations where org_id = ${ORG.northwind} limit 1`;
  const inConversation = {
    org_id: conversation!.org_id as string,
    conversation_id: conversation!.id as string,
  };
  const uploader = randomUUID();
  await insertRow(sql, 'attachments', {
    ...inConversation,
    uploader_kind: 'visitor',
    uploader_id: uploader,
    file_name: 'receipt.pdf',
    content_type: 'application/pdf',
    size_bytes: 100,
    storage_key: `rls-${tag}/receipt.pdf`,
  });
  await insertRow(sql, 'calls', {
    ...inConversation,
    room_id: `rls-${tag}`,
    started_by_kind: 'visitor',
    started_by: uploader,
  });
  await insertRow(sql, 'conversation_offers', {
    ...inConversation,
    user_id: USER.agent3,
    kind: 'consult',
    note: `RLS ${tag} offer`,
    expires_at: new Date(Date.now() + 3_600_000),
  });
  await insertRow(sql, 'outbound_emails', {
    ...inConversation,
    kind: 'transcript',
    to_email: 'visitor@example.test',
    subject: `RLS ${tag} transcript`,
    body_text: 'Your conversation.',
  });
});

afterAll(async () => {
  // Organizations the founder made go with their memberships; then the logins themselves.
  if (!sql) return;
  await sql`delete from public.attachments where storage_key = ${`rls-${tag}/receipt.pdf`}`;
  await sql`delete from public.calls where room_id = ${`rls-${tag}`}`;
  await sql`delete from public.conversation_offers where note = ${`RLS ${tag} offer`}`;
  await sql`delete from public.outbound_emails where subject = ${`RLS ${tag} transcript`}`;
  await sql`delete from public.organizations where id in (
    select org_id from public.org_members where user_id = ${founder})`;
  await deleteAuthUsers(sql, [spareUser, founder]);
  try {
    expect(await leftovers(sql, tag), 'rows this suite created and left behind').toEqual({});
  } finally {
    await sql.end();
  }
});

describe('client_viewer', () => {
  it('cannot see another client’s conversations (Globex), only Acme’s', async () => {
    const { data: globex, error } = await as
      .viewer!.from('conversations')
      .select('id')
      .eq('client_id', CLIENT.globex);
    expect(error).toBeNull();
    expect(globex).toEqual([]);
    expect(await countRows(sql, 'conversations', { client_id: CLIENT.globex })).toBeGreaterThan(0);

    const { data: all } = await as.viewer!.from('conversations').select('client_id');
    expect(all!.length).toBeGreaterThan(0);
    expect(new Set(all!.map((row) => row.client_id))).toEqual(new Set([CLIENT.acme]));
  });

  it('sees Acme’s messages but no internal notes, which agents see in the same conversations', async () => {
    // Counted by PostgREST (count=exact), not by the rows returned: a page stops at 1,000 rows.
    const acmeMessages = async (client: SupabaseClient, onlyNotes = false) => {
      let query = client
        .from('messages')
        .select('id, conversations!inner(client_id)', { count: 'exact', head: true })
        .eq('conversations.client_id', CLIENT.acme);
      if (onlyNotes) query = query.eq('sender_kind', 'note');
      const { count, error } = await query;
      expect(error).toBeNull();
      return count as number;
    };
    const viewed = await acmeMessages(as.viewer!);
    expect(viewed).toBeGreaterThan(0);
    expect(await acmeMessages(as.viewer!, true)).toBe(0);

    const managedNotes = await acmeMessages(as.manager!, true);
    expect(managedNotes).toBeGreaterThan(0);
    expect(await acmeMessages(as.manager!)).toBe(viewed + managedNotes);
  });
});

describe('conversation_metrics (security_invoker view)', () => {
  it('counts only the messages the reader may see: no internal notes for the client viewer', async () => {
    // A seed Acme conversation with an internal note: the manager's figures count it, the viewer's not.
    const [conversation] = await sql`
      select c.id, count(*) filter (where m.sender_kind = 'note')::int as notes
      from public.conversations c join public.messages m on m.conversation_id = c.id
      where c.client_id = ${CLIENT.acme}
      group by c.id having count(*) filter (where m.sender_kind = 'note') > 0
      limit 1`;
    expect(conversation, 'the seed has an Acme conversation with a note').toBeDefined();
    const metrics = (client: SupabaseClient) =>
      client
        .from('conversation_metrics')
        .select('notes, visitor_messages')
        .eq('conversation_id', conversation!.id);
    const managed = await metrics(as.manager!);
    const viewed = await metrics(as.viewer!);
    expect(managed.error).toBeNull();
    expect(viewed.error).toBeNull();
    expect(managed.data).toEqual([{ notes: conversation!.notes, visitor_messages: expect.any(Number) }]);
    expect(viewed.data).toEqual([{ notes: 0, visitor_messages: managed.data![0]!.visitor_messages }]);
  });

  it('shows every reader exactly the conversations they can read', async () => {
    for (const who of ['owner', 'manager', 'agent1', 'agent3', 'viewer', 'contosoOwner']) {
      const { data: conversations } = await as[who]!.from('conversations').select('id');
      const { data: metrics, error } = await as[who]!.from('conversation_metrics').select('conversation_id');
      expect(error, who).toBeNull();
      expect(metrics!.length, `${who} reads some metrics`).toBeGreaterThan(0);
      expect(new Set(metrics!.map((row) => row.conversation_id)), who).toEqual(
        new Set(conversations!.map((row) => row.id)),
      );
    }
  });
});

describe('agents and groups', () => {
  it('agent3 (Technical only) cannot see a Bookings conversation that agent1 can', async () => {
    // A seed Bookings chat agent3 neither handled nor joined.
    const [conversation] = await sql`
      select c.id from public.conversations c
      where c.group_id = ${GROUP.bookings} and c.assignee_id is distinct from ${USER.agent3}
        and not exists (select 1 from public.conversation_participants p where p.conversation_id = c.id and p.user_id = ${USER.agent3})
      limit 1`;
    expect(conversation).toBeDefined();
    const read = (client: SupabaseClient) =>
      client.from('conversations').select('id, group_id').eq('id', conversation!.id);
    expect((await read(as.agent1!)).data).toEqual([{ id: conversation!.id, group_id: GROUP.bookings }]);
    const hidden = await read(as.agent3!);
    expect(hidden.error).toBeNull();
    expect(hidden.data).toEqual([]);
    // …and its messages follow the conversation.
    const { data: messages } = await as
      .agent3!.from('messages')
      .select('id')
      .eq('conversation_id', conversation!.id);
    expect(messages).toEqual([]);
  });

  it('agent3 may read a Bookings conversation while it is offered to them, and not before or after', async () => {
    const [conversation] = await sql`
      select c.id, c.org_id from public.conversations c
      where c.group_id = ${GROUP.bookings} and c.assignee_id is distinct from ${USER.agent3}
        and not exists (select 1 from public.conversation_participants p where p.conversation_id = c.id and p.user_id = ${USER.agent3})
        and exists (select 1 from public.messages m where m.conversation_id = c.id)
      limit 1`;
    expect(conversation).toBeDefined();
    const id = conversation!.id as string;
    const readConversation = async () =>
      (await as.agent3!.from('conversations').select('id').eq('id', id)).data?.map((r) => r.id);
    const readMessages = async (client: SupabaseClient) =>
      (await client.from('messages').select('id').eq('conversation_id', id).order('id')).data?.map(
        (r) => r.id,
      );
    expect(await readConversation()).toEqual([]);

    // agent1 invites agent3 (outside Bookings) to consult.
    const offer = await insertRow(sql, 'conversation_offers', {
      org_id: conversation!.org_id,
      conversation_id: id,
      user_id: USER.agent3,
      kind: 'consult',
      status: 'pending',
      offered_by: USER.agent1,
      expires_at: new Date(Date.now() + 3_600_000),
    });
    try {
      expect(await readConversation()).toEqual([id]);
      const theirs = await readMessages(as.agent3!);
      expect(theirs?.length).toBeGreaterThan(0);
      expect(theirs).toEqual(await readMessages(as.agent1!));
      // Past its expiry, though still marked pending (the sweep not yet run): hidden again.
      await sql`update public.conversation_offers set expires_at = now() - interval '1 second' where id = ${offer.id as string}`;
      expect(await readConversation()).toEqual([]);
      // Declined: hidden.
      await sql`update public.conversation_offers set expires_at = now() + interval '1 hour', status = 'declined' where id = ${offer.id as string}`;
      expect(await readConversation()).toEqual([]);
      expect(await readMessages(as.agent3!)).toEqual([]);
    } finally {
      await sql`delete from public.conversation_offers where id = ${offer.id as string}`;
    }
  });

  it('an agent cannot change roles, neither their own nor a colleague’s', async () => {
    for (const user of [USER.agent1, USER.agent2]) {
      const { data, error } = await as
        .agent1!.from('org_members')
        .update({ role: 'admin' })
        .match({ org_id: ORG.northwind, user_id: user })
        .select();
      expect(error).toBeNull();
      expect(data).toEqual([]);
      const [row] = await readRows(sql, 'org_members', { org_id: ORG.northwind, user_id: user });
      expect(row?.role).toBe('agent');
    }
  });

  it('an agent cannot raise agent_status.max_chats above the ceiling in org_members', async () => {
    const own = { org_id: ORG.northwind, user_id: USER.agent1 };
    const [membership] = await readRows(sql, 'org_members', own);
    const ceiling = membership!.max_chats as number;
    const restore = await snapshot(sql, 'agent_status', own);
    try {
      const above = await as
        .agent1!.from('agent_status')
        .update({ max_chats: ceiling + 1 })
        .match(own)
        .select();
      expect(above.error?.code).toBe('23514');
      expect(above.error?.message).toMatch(/above the limit/);
      expect((await readRows(sql, 'agent_status', own))[0]?.max_chats).not.toBe(ceiling + 1);

      const at = await as
        .agent1!.from('agent_status')
        .update({ max_chats: ceiling })
        .match(own)
        .select('max_chats');
      expect(at.error).toBeNull();
      expect(at.data).toEqual([{ max_chats: ceiling }]);
    } finally {
      await restore();
    }
  });
});

describe('owners and members', () => {
  it('an admin of one organization cannot add members to the other', async () => {
    const cases = [
      { client: as.admin!, org: ORG.contoso },
      { client: as.contosoOwner!, org: ORG.northwind },
    ];
    for (const { client, org } of cases) {
      const { error } = await client
        .from('org_members')
        .insert({ org_id: org, user_id: spareUser, role: 'agent' })
        .select();
      expectRlsViolation(error, `add a member to ${org}`);
      expect(await readRows(sql, 'org_members', { org_id: org, user_id: spareUser })).toEqual([]);
    }
  });

  it('only an owner creates or alters an owner membership', async () => {
    const spare = { org_id: ORG.northwind, user_id: spareUser };
    const ownerRow = { org_id: ORG.northwind, user_id: USER.owner };
    try {
      // An admin can neither add an owner, nor promote a member to owner, nor touch the owner's row.
      const added = await as
        .admin!.from('org_members')
        .insert({ ...spare, role: 'owner' })
        .select();
      expectRlsViolation(added.error, 'admin adds an owner');
      const agent = await as
        .admin!.from('org_members')
        .insert({ ...spare, role: 'agent' })
        .select();
      expect(agent.error).toBeNull();
      const promoted = await as.admin!.from('org_members').update({ role: 'owner' }).match(spare).select();
      expectRlsViolation(promoted.error, 'admin promotes to owner');
      expect((await readRows(sql, 'org_members', spare))[0]?.role).toBe('agent');
      const demoted = await as.admin!.from('org_members').update({ role: 'admin' }).match(ownerRow).select();
      expect(demoted.data).toEqual([]);
      const removed = await as.admin!.from('org_members').delete().match(ownerRow).select();
      expect(removed.data).toEqual([]);
      expect((await readRows(sql, 'org_members', ownerRow))[0]?.role).toBe('owner');

      // The owner can promote and then demote again.
      const byOwner = await as
        .owner!.from('org_members')
        .update({ role: 'owner' })
        .match(spare)
        .select('role');
      expect(byOwner.error).toBeNull();
      expect(byOwner.data).toEqual([{ role: 'owner' }]);
      const back = await as.owner!.from('org_members').update({ role: 'agent' }).match(spare).select('role');
      expect(back.data).toEqual([{ role: 'agent' }]);
    } finally {
      await sql`delete from public.org_members where org_id = ${ORG.northwind} and user_id = ${spareUser}`;
    }
  });

  it('the last active owner cannot be removed, demoted or deactivated', async () => {
    const ownerRow = { org_id: ORG.northwind, user_id: USER.owner };
    const restore = await snapshot(sql, 'org_members', ownerRow);
    try {
      const attempts = [
        as.owner!.from('org_members').delete().match(ownerRow).select(),
        as.owner!.from('org_members').update({ role: 'admin' }).match(ownerRow).select(),
        as.owner!.from('org_members').update({ active: false }).match(ownerRow).select(),
      ];
      for (const attempt of attempts) {
        const { error } = await attempt;
        expect(error?.code).toBe('23514');
        expect(error?.message).toMatch(/at least one active owner/);
      }
      expect(await readRows(sql, 'org_members', ownerRow)).toMatchObject([{ role: 'owner', active: true }]);
    } finally {
      // Only if a refusal failed would this change anything; Northwind must keep its owner.
      if ((await readRows(sql, 'org_members', ownerRow))[0]?.role !== 'owner') await restore();
    }
  });
});

describe('create_organization()', () => {
  it('creates the organization with the caller as its only (owner) member', async () => {
    const slug = `rls-${tag}-founded`;
    const { data: org, error } = await as.founder!.rpc('create_organization', {
      org_name: 'Founded Ltd',
      org_slug: slug,
    });
    expect(error).toBeNull();
    expect(org).toMatchObject({ name: 'Founded Ltd', slug });

    const members = await sql`select user_id, role, active from public.org_members where org_id = ${org.id}`;
    expect([...members]).toEqual([{ user_id: founder, role: 'owner', active: true }]);
    // The new owner reads and renames it through the API right away.
    const renamed = await as
      .founder!.from('organizations')
      .update({ name: 'Founded Inc' })
      .eq('id', org.id)
      .select('name');
    expect(renamed.data).toEqual([{ name: 'Founded Inc' }]);
    // …and is its last owner: cannot leave it ownerless.
    const leave = await as
      .founder!.from('org_members')
      .delete()
      .match({ org_id: org.id, user_id: founder })
      .select();
    expect(leave.error?.code).toBe('23514');
  });

  it('refuses anon', async () => {
    const { error } = await anonClient().rpc('create_organization', {
      org_name: 'Anon Ltd',
      org_slug: `rls-${tag}-anon`,
    });
    expect(error).not.toBeNull();
    expect(await sql`select 1 from public.organizations where slug = ${`rls-${tag}-anon`}`).toHaveLength(0);
  });
});

describe('forging another organization', () => {
  // Rows each Northwind staff member may insert in their own organization, aimed at Contoso instead,
  // each with the key that finds it if it were stored.
  const withId = (row: Record<string, unknown>) => ({
    row: { id: randomUUID(), ...row },
    key: (r: Row) => ({ id: r.id as string }),
  });
  const byUser = (row: Record<string, unknown>, keyColumn: 'org_id' | 'group_id') => ({
    row,
    key: (r: Row) => ({ [keyColumn]: r[keyColumn] as string, user_id: r.user_id as string }),
  });
  const intoContoso: Record<string, (self: string) => { row: Row; key: (row: Row) => Match }> = {
    clients: () => withId({ org_id: ORG.contoso, name: `RLS ${tag} forged` }),
    sites: () => withId({ org_id: ORG.contoso, client_id: CLIENT.fabrikam, name: `rls-${tag}-forged.test` }),
    groups: () => withId({ org_id: ORG.contoso, name: `RLS ${tag} forged` }),
    group_members: (self) =>
      byUser({ org_id: ORG.contoso, group_id: GROUP.appointments, user_id: self }, 'group_id'),
    org_members: () => byUser({ org_id: ORG.contoso, user_id: spareUser, role: 'agent' }, 'org_id'),
    faqs: (self) => withId({ org_id: ORG.contoso, question: 'Forged?', answer: 'Yes.', created_by: self }),
    snippets: (self) => withId({ org_id: ORG.contoso, owner_id: self, shortcut: `rls${tag}`, body: 'x' }),
    agent_status: (self) => byUser({ org_id: ORG.contoso, user_id: self, max_chats: 0 }, 'org_id'),
  };
  const staff = { owner: USER.owner, admin: USER.admin, manager: USER.manager, agent1: USER.agent1 };

  for (const [who, self] of Object.entries(staff)) {
    for (const [table, build] of Object.entries(intoContoso)) {
      it(`${who} cannot insert ${table} with Contoso's org_id`, async () => {
        const { row, key } = build(self);
        const { data, error } = await as[who]!.from(table).insert(row).select();
        expectRlsViolation(error, `${who} → ${table}`);
        expect(data).toBeNull();
        expect(await readRows(sql, table, key(row))).toEqual([]);
      });
    }
  }

  // With their own org_id the policy passes, but the composite foreign keys refuse Contoso's parents.
  const contosoParents: { who: string; table: string; parent: string; row: () => Row }[] = [
    {
      who: 'manager',
      table: 'sites',
      parent: 'client',
      row: () => ({
        id: randomUUID(),
        org_id: ORG.northwind,
        client_id: CLIENT.fabrikam,
        name: `rls-${tag}.test`,
      }),
    },
    {
      who: 'manager',
      table: 'sites',
      parent: 'group (as default group)',
      row: () => ({
        id: randomUUID(),
        org_id: ORG.northwind,
        client_id: CLIENT.acme,
        name: `rls-${tag}.test`,
        default_group_id: GROUP.appointments,
      }),
    },
    {
      who: 'agent1',
      table: 'faqs',
      parent: 'client',
      row: () => ({
        id: randomUUID(),
        org_id: ORG.northwind,
        client_id: CLIENT.fabrikam,
        question: 'Q?',
        answer: 'A.',
        created_by: USER.agent1,
      }),
    },
    {
      who: 'manager',
      table: 'group_members',
      parent: 'group',
      row: () => ({ org_id: ORG.northwind, group_id: GROUP.appointments, user_id: USER.agent3 }),
    },
    {
      who: 'admin',
      table: 'org_members',
      parent: 'client (as a client_viewer)',
      row: () => ({
        org_id: ORG.northwind,
        user_id: spareUser,
        role: 'client_viewer',
        client_id: CLIENT.fabrikam,
      }),
    },
  ];
  for (const { who, table, parent, row: build } of contosoParents) {
    it(`${who} cannot insert ${table} in Northwind pointing at Contoso's ${parent}`, async () => {
      const row = build();
      const { error } = await as[who]!.from(table).insert(row).select();
      expect(error?.code, JSON.stringify(error)).toBe('23503');
      const key: Match =
        'id' in row
          ? { id: row.id as string }
          : table === 'group_members'
            ? { group_id: row.group_id as string, user_id: row.user_id as string }
            : { org_id: ORG.northwind, user_id: row.user_id as string };
      expect(await readRows(sql, table, key)).toEqual([]);
    });
  }

  it('a manager cannot move a Northwind row into Contoso by updating org_id', async () => {
    const [client] =
      await sql`insert into public.clients (org_id, name) values (${ORG.northwind}, ${`RLS ${tag} mover`}) returning id`;
    try {
      const { error } = await as
        .manager!.from('clients')
        .update({ org_id: ORG.contoso })
        .eq('id', client!.id)
        .select();
      expectRlsViolation(error, 'move a client');
      expect((await readRows(sql, 'clients', { id: client!.id }))[0]?.org_id).toBe(ORG.northwind);
    } finally {
      await sql`delete from public.clients where id = ${client!.id}`;
    }
  });
});

describe('anon', () => {
  for (const table of TENANT_RELATIONS) {
    it(`reads nothing from ${table}`, async () => {
      expect(await countRows(sql, table), 'the seed has rows here').toBeGreaterThan(0);
      const { data, error } = await anonClient().from(table).select('*');
      expectPermissionDenied(error, data, `anon select ${table}`);
    });
  }
});

describe('a deactivated member', () => {
  it('reads nothing at all, at once, with the session they already had', async () => {
    const member = { org_id: ORG.northwind, user_id: USER.agent2 };
    const visible = async () => {
      const counts: Record<string, number> = {};
      for (const table of TENANT_RELATIONS) {
        const { data, error } = await as.agent2!.from(table).select('*');
        expect(error, table).toBeNull();
        counts[table] = data!.length;
      }
      return counts;
    };
    const before = await visible();
    expect(before.conversations).toBeGreaterThan(0);
    expect(before.clients).toBe(2);

    const service = serviceClient();
    const off = await service.from('org_members').update({ active: false }).match(member).select('active');
    expect(off.data).toEqual([{ active: false }]);
    try {
      const after = await visible();
      // README: "Deactivated members lose all access at once". Not even their own membership row.
      expect(after, 'rows a deactivated member can still read, per table').toEqual(
        Object.fromEntries(TENANT_RELATIONS.map((table) => [table, 0])),
      );
    } finally {
      const on = await service.from('org_members').update({ active: true }).match(member).select('active');
      expect(on.data).toEqual([{ active: true }]);
    }
    expect(await visible()).toEqual(before);
  });
});
