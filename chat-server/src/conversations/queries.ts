/**
 * Conversation state changes the realtime core makes: start, close, rate, read positions, and the
 * visitor details a conversation carries (name, pre-chat answers, current page). Tenancy comes from
 * the caller: every write names the org (and the visitor, for visitor writes) it was authorized for.
 */
import type { Conversation } from '@chat/shared';
import type { Sql } from '../db/sql.ts';
import type { ConversationRef } from './types.ts';

export interface NewConversation {
  orgId: string;
  clientId: string;
  siteId: string;
  visitorId: string;
  groupId: string | null;
  topic: string;
  /** Routing: the visitor's language and the page the chat started from (optional). */
  language?: string;
  startUrl?: string;
  /** 'offline' for an offline message (routing); default 'queued'. */
  status?: 'queued' | 'offline';
}

export async function insertConversation(sql: Sql, c: NewConversation): Promise<ConversationRef> {
  const [row] = await sql<{ id: string }[]>`
    insert into public.conversations
      (org_id, client_id, site_id, visitor_id, group_id, topic, status, language, start_url)
    values (${c.orgId}, ${c.clientId}, ${c.siteId}, ${c.visitorId}, ${c.groupId}, ${c.topic},
            ${c.status ?? 'queued'}, ${c.language ?? ''}, ${c.startUrl ?? ''})
    returning id`;
  return {
    id: (row as { id: string }).id,
    orgId: c.orgId,
    clientId: c.clientId,
    visitorId: c.visitorId,
    groupId: c.groupId,
    status: c.status ?? 'queued',
  };
}

interface ConversationRow {
  id: string;
  status: Conversation['status'];
  topic: string;
  group_id: string | null;
  visitor_id: string;
  visitor_name: string;
  visitor_email: string;
  assignee_id: string | null;
  assignee_name: string;
  participants: Conversation['participants'];
  last_seq: number;
  visitor_read_seq: number;
  queue_position: number | null;
  estimated_wait: number | null;
  created_at: Date;
  closed_at: Date | null;
  closed_by: Conversation['closedBy'];
  rating: number | null;
}

/** The conversation as the protocol's `Conversation` (visitor, assignee, participants, queue place). */
export async function loadConversation(sql: Sql, conversationId: string): Promise<Conversation | null> {
  const [r] = await sql<ConversationRow[]>`
    select c.id, c.status, c.topic, c.group_id, c.visitor_id, v.name as visitor_name, v.email as visitor_email,
           c.assignee_id, coalesce(am.display_name, '') as assignee_name,
           c.last_seq::int as last_seq, c.visitor_read_seq::int as visitor_read_seq,
           c.created_at, c.closed_at, c.closed_by, c.rating::int as rating,
           qp.queue_position,
           case when qp.queue_position is not null and c.group_id is not null
             then private.queue_wait_estimate(c.group_id, qp.queue_position) end as estimated_wait,
           coalesce((
             select json_agg(json_build_object('userId', p.user_id, 'name', coalesce(pm.display_name, ''),
                                               'role', p.role) order by p.joined_at)
             from public.conversation_participants p
             left join public.org_members pm on pm.org_id = p.org_id and pm.user_id = p.user_id
             where p.conversation_id = c.id and p.left_at is null
           ), '[]'::json) as participants
    from public.conversations c
    join public.visitors v on v.id = c.visitor_id
    left join public.org_members am on am.org_id = c.org_id and am.user_id = c.assignee_id
    cross join lateral (
      select case when c.status = 'queued' then (
        select count(*)::int from public.conversations q
        where q.org_id = c.org_id and q.status = 'queued'
          and q.group_id is not distinct from c.group_id and q.queued_at <= c.queued_at
      ) end as queue_position
    ) qp
    where c.id = ${conversationId}`;
  if (!r) return null;
  return {
    id: r.id,
    status: r.status,
    topic: r.topic,
    groupId: r.group_id,
    visitor: { id: r.visitor_id, name: r.visitor_name, email: r.visitor_email },
    assignee: r.assignee_id ? { userId: r.assignee_id, name: r.assignee_name } : null,
    participants: r.participants,
    lastSeq: r.last_seq,
    visitorReadSeq: r.visitor_read_seq,
    queuePosition: r.queue_position,
    // Routing's estimate (private.queue_wait_estimate); null when nobody in the group is online.
    estimatedWaitSeconds: r.estimated_wait,
    createdAt: r.created_at.toISOString(),
    closedAt: r.closed_at ? r.closed_at.toISOString() : null,
    closedBy: r.closed_by,
    rating: r.rating,
  };
}

/** Closes an open conversation. False when it was already closed (the caller answers conflict). */
export async function closeConversation(
  sql: Sql,
  ref: ConversationRef,
  closedBy: 'visitor' | 'agent' | 'system',
): Promise<boolean> {
  const rows = await sql`
    update public.conversations set status = 'closed', closed_at = now(), closed_by = ${closedBy}
    where id = ${ref.id} and org_id = ${ref.orgId} and status <> 'closed'
    returning id`;
  return rows.length > 0;
}

/** Rates a closed conversation. False when it is not closed. */
export async function rateConversation(
  sql: Sql,
  ref: ConversationRef,
  rating: number,
  comment: string,
): Promise<boolean> {
  const rows = await sql`
    update public.conversations set rating = ${rating}, feedback = ${comment}, rated_at = now()
    where id = ${ref.id} and org_id = ${ref.orgId} and visitor_id = ${ref.visitorId} and status = 'closed'
    returning id`;
  return rows.length > 0;
}

/** Moves the visitor's read position forward (never back, never past the last message). Returns it. */
export async function markVisitorRead(sql: Sql, ref: ConversationRef, seq: number): Promise<number> {
  const [row] = await sql<{ seq: number }[]>`
    update public.conversations
    set visitor_read_seq = greatest(visitor_read_seq, least(${seq}::bigint, last_seq))
    where id = ${ref.id} and org_id = ${ref.orgId}
    returning visitor_read_seq::int as seq`;
  return row?.seq ?? 0;
}

/**
 * Moves an agent's read position forward when they take part in the conversation. An agent who
 * only looks (a manager, an unassigned agent) has no participant row and none is created here:
 * a participant row would widen what RLS lets them see later.
 */
export async function markAgentRead(
  sql: Sql,
  ref: ConversationRef,
  userId: string,
  seq: number,
): Promise<number> {
  const [row] = await sql<{ seq: number }[]>`
    update public.conversation_participants p
    set last_read_seq = greatest(p.last_read_seq, least(${seq}::bigint, c.last_seq))
    from public.conversations c
    where p.conversation_id = ${ref.id} and p.user_id = ${userId} and c.id = p.conversation_id
    returning p.last_read_seq::int as seq`;
  return row?.seq ?? Math.max(0, seq);
}

/** Name, email and pre-chat answers given when starting a conversation. */
export async function updateVisitorProfile(
  sql: Sql,
  visitorId: string,
  orgId: string,
  p: { name?: string | undefined; email?: string | undefined; fields?: Record<string, string> | undefined },
): Promise<{ name: string; email: string }> {
  const [row] = await sql<{ name: string; email: string }[]>`
    update public.visitors
    set name = coalesce(${p.name ?? null}, name),
        email = coalesce(${p.email ?? null}, email),
        attributes = attributes || ${sql.json(p.fields ?? {})}::jsonb,
        last_seen_at = now()
    where id = ${visitorId} and org_id = ${orgId}
    returning name, email`;
  return row ?? { name: p.name ?? '', email: p.email ?? '' };
}

/** Most pages kept in visitors.attributes.page_history. */
const PAGE_HISTORY = 20;

/** Stores the visitor's current page and appends it to a short page history. */
export async function recordPageView(
  sql: Sql,
  visitorId: string,
  orgId: string,
  page: { url: string; title: string; at: string },
): Promise<void> {
  const entry = { url: page.url, title: page.title, at: page.at };
  await sql`
    update public.visitors
    set attributes = attributes
          || jsonb_build_object('current_url', ${page.url}::text, 'current_title', ${page.title}::text)
          || jsonb_build_object('page_history', (
               select coalesce(jsonb_agg(e order by n), '[]'::jsonb) from (
                 select e, n from jsonb_array_elements(
                   coalesce(attributes -> 'page_history', '[]'::jsonb) || jsonb_build_array(${sql.json(entry)}::jsonb)
                 ) with ordinality as h (e, n)
                 order by n desc limit ${PAGE_HISTORY}
               ) last_pages
             )),
        last_seen_at = now()
    where id = ${visitorId} and org_id = ${orgId}`;
}

/** The visitor's conversations that agents may still be looking at (queued or active). */
export async function openConversationIds(sql: Sql, visitorId: string, orgId: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select id from public.conversations
    where visitor_id = ${visitorId} and org_id = ${orgId} and status in ('queued', 'active')`;
  return rows.map((r) => r.id);
}
