import type postgres from 'postgres';

/**
 * A realistic volume for the bench: 20,000 conversations with 10 messages each (200,000) in
 * Northwind, spread over Bookings, Billing, Technical and unrouted (agent1 sees three quarters),
 * over Acme and Globex, with 2,000 visitors. Loaded with triggers and foreign-key checks off
 * (session_replication_role = replica): the rows are consistent by construction, sequence numbers
 * are written directly, and loading 200k rows through the per-row seq trigger would take minutes.
 */

export const NORTHWIND = '10000000-0000-4000-8000-000000000001';
export const AGENT1 = '20000000-0000-4000-8000-000000000004';
const ACME = { client: '30000000-0000-4000-8000-000000000001', site: '40000000-0000-4000-8000-000000000001' };
const GLOBEX = {
  client: '30000000-0000-4000-8000-000000000002',
  site: '40000000-0000-4000-8000-000000000002',
};
const BOOKINGS = '50000000-0000-4000-8000-000000000001';
const BILLING = '50000000-0000-4000-8000-000000000002';
const TECHNICAL = '50000000-0000-4000-8000-000000000003';

export interface Volume {
  conversations: number;
  messages: number;
  /** A Bookings conversation agent1 may read, for the "one conversation's messages" statement. */
  bookingsConversation: string;
}

export async function loadVolume(
  sql: postgres.Sql,
  conversations = 20_000,
  perConversation = 10,
): Promise<Volume> {
  const visitors = Math.max(1, Math.floor(conversations / 10));
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`
      insert into public.visitors (org_id, client_id, site_id, id, name)
      select ${NORTHWIND}::uuid,
             case when v % 2 = 0 then ${ACME.client}::uuid else ${GLOBEX.client}::uuid end,
             case when v % 2 = 0 then ${ACME.site}::uuid else ${GLOBEX.site}::uuid end,
             md5('bench-visitor-' || v)::uuid, 'Bench visitor ' || v
      from generate_series(0, ${visitors - 1}) v`;
    await tx`
      insert into public.conversations (org_id, client_id, site_id, visitor_id, id, status, group_id, assignee_id,
                                        last_seq, created_at, queued_at, closed_at, rating)
      select ${NORTHWIND}::uuid,
             case when (c % ${visitors}) % 2 = 0 then ${ACME.client}::uuid else ${GLOBEX.client}::uuid end,
             case when (c % ${visitors}) % 2 = 0 then ${ACME.site}::uuid else ${GLOBEX.site}::uuid end,
             md5('bench-visitor-' || (c % ${visitors}))::uuid,
             md5('bench-conversation-' || c)::uuid,
             'closed',
             (array[${BOOKINGS}::uuid, ${BILLING}::uuid, ${TECHNICAL}::uuid, null])[1 + c % 4],
             case when c % 4 = 2 then null else ${AGENT1}::uuid end,
             ${perConversation},
             now() - make_interval(mins => c * 2), now() - make_interval(mins => c * 2),
             now() - make_interval(mins => c * 2 - 15), 1 + c % 5
      from generate_series(0, ${conversations - 1}) c`;
    await tx`
      insert into public.messages (org_id, conversation_id, seq, client_msg_id, sender_kind, sender_id, body, created_at)
      select ${NORTHWIND}::uuid, md5('bench-conversation-' || c)::uuid, s, 'bench-' || s,
             kind, case kind when 'system' then null when 'visitor' then md5('bench-visitor-' || (c % ${visitors}))::uuid
                             else ${AGENT1}::uuid end,
             case kind when 'note' then 'Internal: checked the booking.' when 'system' then 'Agent joined'
                       else 'Message ' || s || ' of a realistic length, about as long as a chat line usually is.' end,
             now() - make_interval(mins => c * 2 - s)
      from generate_series(0, ${conversations - 1}) c,
           generate_series(1, ${perConversation}) s,
           lateral (select (array['visitor', 'system', 'agent', 'note', 'visitor', 'agent', 'visitor', 'agent', 'visitor', 'system'])
                           [1 + (s - 1) % 10]::public.sender_kind as kind) k`;
  });
  await sql`analyze public.visitors, public.conversations, public.messages`;
  const [counts] = await sql`
    select (select count(*)::int from public.messages) as messages,
           (select count(*)::int from public.conversations) as conversations`;
  return {
    conversations: counts!.conversations as number,
    messages: counts!.messages as number,
    bookingsConversation: (await sql`select md5('bench-conversation-0')::uuid as id`)[0]!.id,
  };
}
