import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { createAuthUser, deleteAuthUsers, insertRow, runTag } from './sql.ts';
import { CLIENT, GROUP, ORG, SITE, USER } from './world.ts';

/**
 * Rows the RLS matrix probes, created as the superuser before the suite and removed after it.
 *
 * The seed has no attachments, calls, offers or outbound e-mails, and its conversations do not cover
 * every way an agent may see one, so the suite arranges its own: a conversation per visibility rule,
 * each with a visitor message and an internal note, attachments on both, calls, offers, outbound
 * e-mails, FAQs, snippets (org-wide and one personal per actor) and logins with no membership (to
 * add as members). Every name carries a run tag; everything hangs off fixture visitors and users,
 * so removal is a handful of deletes.
 */
export interface Fixtures {
  tag: string;
  /** A Northwind agent of our own, for group_members rows (so no seed agent's groups change). */
  nwAgentUser: string;
  /** Logins with no membership anywhere: added as an agent / as an owner by insert probes. */
  spareUser: string;
  spareOwnerUser: string;
  visitor: { acme: string; globex: string; contoso: string };
  /** One conversation per visibility rule (agent1 = the matrix's agent). */
  conv: {
    /** Acme, Bookings group: agent1's group. */
    bookingsAcme: string;
    /** Globex, Technical: not agent1's group, not assigned, never joined. Hidden from agent1. */
    technicalGlobex: string;
    /** Globex, no group yet: every agent sees unrouted chats. */
    unroutedGlobex: string;
    /** Acme, Technical, assigned to agent1. */
    assignedAcme: string;
    /** Globex, Technical, agent1 was consulted (a participant row). */
    consultedGlobex: string;
    contoso: string;
  };
  participant: { bookingsAcme: string; technicalGlobex: string; consultedGlobex: string; contoso: string };
  message: {
    bookingsVisitor: string;
    bookingsNote: string;
    technicalVisitor: string;
    unroutedVisitor: string;
    assignedVisitor: string;
    assignedNote: string;
    contosoVisitor: string;
    contosoNote: string;
  };
  attachment: {
    bookingsVisitor: string;
    bookingsNote: string;
    technical: string;
    assigned: string;
    contoso: string;
  };
  call: { bookingsAcme: string; technicalGlobex: string; contoso: string };
  faq: { acme: string; everyClient: string; contoso: string };
  snippet: {
    northwindShared: string;
    contosoShared: string;
    /** Personal snippets, keyed by owner user id (owner, admin, manager, agent1, agent2, viewer). */
    personal: Record<string, string>;
  };
  offer: {
    /** Pending assignment of Acme/Bookings to agent1. */
    agent1Bookings: string;
    /** agent3 invites agent1 to consult on Globex/Technical, a conversation agent1 cannot see yet. */
    agent1ConsultTechnical: string;
    /** Pending assignment of Globex/Technical to agent3. */
    agent3Technical: string;
    /** An expired assignment of Acme/Bookings to agent2: same conversation as agent1's, another agent. */
    agent2BookingsExpired: string;
    /** An offer naming the client viewer (the schema does not stop it): viewers see no offers at all. */
    viewerBookings: string;
    contoso: string;
  };
  email: { offlineReplyAcme: string; transcriptGlobex: string; contoso: string };
  remove(): Promise<void>;
}

export async function createFixtures(sql: postgres.Sql): Promise<Fixtures> {
  const tag = runTag();
  const users = { nwAgentUser: randomUUID(), spareUser: randomUUID(), spareOwnerUser: randomUUID() };
  for (const [name, id] of Object.entries(users))
    await createAuthUser(sql, id, `rls-${tag}-${name}@fixture.test`);
  await insertRow(sql, 'org_members', {
    org_id: ORG.northwind,
    user_id: users.nwAgentUser,
    role: 'agent',
    email: `rls-${tag}-nwAgentUser@fixture.test`,
  });

  const visitor = {
    acme: await visitorIn(sql, ORG.northwind, CLIENT.acme, SITE.acme, `RLS ${tag} Acme visitor`),
    globex: await visitorIn(sql, ORG.northwind, CLIENT.globex, SITE.globex, `RLS ${tag} Globex visitor`),
    contoso: await visitorIn(sql, ORG.contoso, CLIENT.fabrikam, SITE.fabrikam, `RLS ${tag} Contoso visitor`),
  };
  const acme = {
    org_id: ORG.northwind,
    client_id: CLIENT.acme,
    site_id: SITE.acme,
    visitor_id: visitor.acme,
  };
  const globex = {
    org_id: ORG.northwind,
    client_id: CLIENT.globex,
    site_id: SITE.globex,
    visitor_id: visitor.globex,
  };
  const contosoRow = {
    org_id: ORG.contoso,
    client_id: CLIENT.fabrikam,
    site_id: SITE.fabrikam,
    visitor_id: visitor.contoso,
  };
  const conv = {
    bookingsAcme: await conversation(sql, { ...acme, group_id: GROUP.bookings, status: 'active' }),
    technicalGlobex: await conversation(sql, { ...globex, group_id: GROUP.technical, status: 'active' }),
    unroutedGlobex: await conversation(sql, { ...globex, group_id: null, status: 'queued' }),
    assignedAcme: await conversation(sql, {
      ...acme,
      group_id: GROUP.technical,
      assignee_id: USER.agent1,
      status: 'active',
    }),
    consultedGlobex: await conversation(sql, { ...globex, group_id: GROUP.technical, status: 'active' }),
    contoso: await conversation(sql, { ...contosoRow, group_id: GROUP.appointments, status: 'active' }),
  };

  const nw = ORG.northwind;
  const participant = {
    bookingsAcme: await participantRow(sql, nw, conv.bookingsAcme, USER.manager, 'assignee'),
    technicalGlobex: await participantRow(sql, nw, conv.technicalGlobex, USER.agent3, 'assignee'),
    consultedGlobex: await participantRow(sql, nw, conv.consultedGlobex, USER.agent1, 'consultant'),
    contoso: await participantRow(sql, ORG.contoso, conv.contoso, USER.contosoAgent, 'assignee'),
  };

  const say = (org: string, conversation: string, visitorId: string) =>
    message(sql, {
      org_id: org,
      conversation_id: conversation,
      sender_kind: 'visitor',
      sender_id: visitorId,
    });
  const note = (org: string, conversation: string, agent: string) =>
    message(sql, { org_id: org, conversation_id: conversation, sender_kind: 'note', sender_id: agent });
  const messageIds = {
    bookingsVisitor: await say(nw, conv.bookingsAcme, visitor.acme),
    bookingsNote: await note(nw, conv.bookingsAcme, USER.agent1),
    technicalVisitor: await say(nw, conv.technicalGlobex, visitor.globex),
    unroutedVisitor: await say(nw, conv.unroutedGlobex, visitor.globex),
    assignedVisitor: await say(nw, conv.assignedAcme, visitor.acme),
    assignedNote: await note(nw, conv.assignedAcme, USER.agent1),
    contosoVisitor: await say(ORG.contoso, conv.contoso, visitor.contoso),
    contosoNote: await note(ORG.contoso, conv.contoso, USER.contosoAgent),
  };

  const attach = (org: string, conversation: string, messageId: string | null) =>
    attachment(sql, { org_id: org, conversation_id: conversation, message_id: messageId }, tag);
  const attachmentIds = {
    bookingsVisitor: await attach(nw, conv.bookingsAcme, messageIds.bookingsVisitor),
    bookingsNote: await attach(nw, conv.bookingsAcme, messageIds.bookingsNote),
    technical: await attach(nw, conv.technicalGlobex, null),
    assigned: await attach(nw, conv.assignedAcme, null),
    contoso: await attach(ORG.contoso, conv.contoso, null),
  };

  const call = {
    bookingsAcme: await callIn(sql, nw, conv.bookingsAcme, tag),
    technicalGlobex: await callIn(sql, nw, conv.technicalGlobex, tag),
    contoso: await callIn(sql, ORG.contoso, conv.contoso, tag),
  };

  const faq = {
    acme: await faqIn(sql, nw, CLIENT.acme, tag),
    everyClient: await faqIn(sql, nw, null, tag),
    contoso: await faqIn(sql, ORG.contoso, CLIENT.fabrikam, tag),
  };

  const personal: Record<string, string> = {};
  for (const owner of [USER.owner, USER.admin, USER.manager, USER.agent1, USER.agent2, USER.viewer]) {
    personal[owner] = await snippetIn(sql, nw, owner, `rls${tag}p`);
  }
  const snippet = {
    northwindShared: await snippetIn(sql, nw, null, `rls${tag}s`),
    contosoShared: await snippetIn(sql, ORG.contoso, null, `rls${tag}s`),
    personal,
  };

  const offerOf = (org: string, conversationId: string, user: string, more: Record<string, unknown> = {}) =>
    offerIn(sql, { org_id: org, conversation_id: conversationId, user_id: user, ...more }, tag);
  const offer = {
    agent1Bookings: await offerOf(nw, conv.bookingsAcme, USER.agent1),
    // Declined: a pending offer would let agent1 read Globex/Technical (migration 20261121001900),
    // and the matrix uses that conversation for "an agent outside the group sees nothing";
    // rls-scenarios.test.ts covers the pending case.
    agent1ConsultTechnical: await offerOf(nw, conv.technicalGlobex, USER.agent1, {
      kind: 'consult',
      offered_by: USER.agent3,
      status: 'declined',
    }),
    agent3Technical: await offerOf(nw, conv.technicalGlobex, USER.agent3),
    agent2BookingsExpired: await offerOf(nw, conv.bookingsAcme, USER.agent2, { status: 'expired' }),
    viewerBookings: await offerOf(nw, conv.bookingsAcme, USER.viewer, { kind: 'consult' }),
    contoso: await offerOf(ORG.contoso, conv.contoso, USER.contosoAgent),
  };

  const email = {
    offlineReplyAcme: await emailIn(sql, nw, conv.bookingsAcme, 'offline_reply', tag),
    transcriptGlobex: await emailIn(sql, nw, conv.technicalGlobex, 'transcript', tag),
    contoso: await emailIn(sql, ORG.contoso, conv.contoso, 'offline_reply', tag),
  };

  return {
    tag,
    ...users,
    visitor,
    conv,
    participant,
    message: messageIds,
    attachment: attachmentIds,
    call,
    faq,
    snippet,
    offer,
    email,
    async remove() {
      // Visitors take their conversations (and messages, attachments, calls, participants, offers and
      // e-mails) with them.
      await sql`delete from public.visitors where id in ${sql(Object.values(visitor))}`;
      await sql`delete from public.faqs where id in ${sql(Object.values(faq))}`;
      await sql`delete from public.snippets where id in ${sql([snippet.northwindShared, snippet.contosoShared, ...Object.values(personal)])}`;
      await deleteAuthUsers(sql, Object.values(users));
    },
  };
}

async function visitorIn(sql: postgres.Sql, org: string, client: string, site: string, name: string) {
  const row = await insertRow(sql, 'visitors', { org_id: org, client_id: client, site_id: site, name });
  return row.id as string;
}

async function conversation(sql: postgres.Sql, row: Record<string, unknown>) {
  return (await insertRow(sql, 'conversations', { topic: 'RLS fixture', ...row })).id as string;
}

async function participantRow(
  sql: postgres.Sql,
  org: string,
  conversationId: string,
  user: string,
  role: string,
) {
  await insertRow(sql, 'conversation_participants', {
    org_id: org,
    conversation_id: conversationId,
    user_id: user,
    role,
  });
  return user;
}

async function message(sql: postgres.Sql, row: Record<string, unknown>) {
  const body =
    row.sender_kind === 'note' ? 'Internal: checked the account, nothing unusual.' : 'Hello, I need help.';
  return (await insertRow(sql, 'messages', { client_msg_id: randomUUID(), body, ...row })).id as string;
}

async function attachment(sql: postgres.Sql, row: Record<string, unknown>, tag: string) {
  const inserted = await insertRow(sql, 'attachments', {
    uploader_kind: 'visitor',
    uploader_id: randomUUID(),
    file_name: 'screenshot.png',
    content_type: 'image/png',
    size_bytes: 1234,
    storage_key: `rls-${tag}/${randomUUID()}`,
    ...row,
  });
  return inserted.id as string;
}

async function callIn(sql: postgres.Sql, org: string, conversationId: string, tag: string) {
  const row = await insertRow(sql, 'calls', {
    org_id: org,
    conversation_id: conversationId,
    room_id: `rls-${tag}-${randomUUID()}`,
    started_by_kind: 'visitor',
    started_by: randomUUID(),
  });
  return row.id as string;
}

async function faqIn(sql: postgres.Sql, org: string, client: string | null, tag: string) {
  const row = await insertRow(sql, 'faqs', {
    org_id: org,
    client_id: client,
    question: `RLS ${tag}: can I pay by invoice?`,
    answer: 'Yes, for company accounts.',
  });
  return row.id as string;
}

async function snippetIn(sql: postgres.Sql, org: string, owner: string | null, shortcut: string) {
  const row = await insertRow(sql, 'snippets', {
    org_id: org,
    owner_id: owner,
    shortcut,
    body: 'Thanks for waiting!',
  });
  return row.id as string;
}

async function offerIn(sql: postgres.Sql, row: Record<string, unknown>, tag: string) {
  const inserted = await insertRow(sql, 'conversation_offers', {
    note: `RLS ${tag} offer`,
    expires_at: new Date(Date.now() + 3_600_000),
    ...row,
  });
  return inserted.id as string;
}

async function emailIn(sql: postgres.Sql, org: string, conversationId: string, kind: string, tag: string) {
  const row = await insertRow(sql, 'outbound_emails', {
    org_id: org,
    conversation_id: conversationId,
    kind,
    to_email: 'visitor@example.test',
    subject: `RLS ${tag}: your conversation`,
    body_text: 'Thanks for getting in touch.',
  });
  return row.id as string;
}

/**
 * Rows carrying this run's tag that are still in the database: after cleanup there must be none,
 * so suites sharing the database never see each other's leftovers.
 */
export async function leftovers(sql: postgres.Sql, tag: string): Promise<Record<string, number>> {
  const like = `%${tag}%`;
  const [row] = await sql`
    select
      (select count(*)::int from public.organizations where slug like ${like} or name like ${like}) as organizations,
      (select count(*)::int from public.clients where name like ${like}) as clients,
      (select count(*)::int from public.sites where name like ${like}) as sites,
      (select count(*)::int from public.groups where name like ${like}) as groups,
      (select count(*)::int from public.visitors where name like ${like}) as visitors,
      (select count(*)::int from public.attachments where storage_key like ${like}) as attachments,
      (select count(*)::int from public.calls where room_id like ${like}) as calls,
      (select count(*)::int from public.faqs where question like ${like}) as faqs,
      (select count(*)::int from public.snippets where shortcut like ${like}) as snippets,
      (select count(*)::int from public.conversation_offers where note like ${like}) as conversation_offers,
      (select count(*)::int from public.outbound_emails where subject like ${like}) as outbound_emails,
      (select count(*)::int from auth.users where email like ${like}) as users`;
  return Object.fromEntries(Object.entries(row!).filter(([, count]) => count !== 0)) as Record<
    string,
    number
  >;
}
