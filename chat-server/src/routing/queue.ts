/**
 * A group's queue as people see it: agents get the whole list with visitor previews (`queue`),
 * each waiting visitor gets their conversation again with the new place and estimated wait.
 * Refreshes are coalesced per group (a burst of arrivals costs one refresh), and run on the
 * instance that changed the queue; pub/sub carries the frames everywhere.
 */
import type { Conversation, QueueEntry } from '@chat/shared';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { ConversationFeed } from '../realtime/conversation-feed.ts';
import type { Notify } from './notify.ts';

/** Entries sent in one `queue` frame, and waiting visitors told their new place per refresh. */
const MAX_ENTRIES = 200;
const PREVIEW_LENGTH = 500;

interface EntryRow {
  id: string;
  group_id: string | null;
  position: number;
  queued_at: Date;
  topic: string;
  visitor_id: string;
  visitor_name: string;
  visitor_email: string;
  page_url: string;
  page_title: string;
  first_message: string | null;
  language: string;
}

/**
 * Queued conversations of one group (null: unrouted) in queue order, with the visitor preview;
 * `only`: just these conversations (still placed in the whole queue).
 */
export async function queueEntries(
  sql: Sql,
  orgId: string,
  groupId: string | null,
  only?: string[],
): Promise<QueueEntry[]> {
  // Places over the whole queue first; the preview columns only for the rows returned.
  const rows = await sql<EntryRow[]>`
    select q.id, q.group_id, q.position, q.queued_at, q.topic, q.visitor_id, v.name as visitor_name,
           v.email as visitor_email,
           left(coalesce(nullif(q.start_url, ''), v.attributes ->> 'current_url', ''), 2048) as page_url,
           left(coalesce(v.attributes ->> 'current_title', ''), 500) as page_title,
           (select left(m.body, ${PREVIEW_LENGTH}) from public.messages m
             where m.conversation_id = q.id and m.sender_kind = 'visitor' order by m.seq limit 1) as first_message,
           q.language
    from (
      select c.id, c.group_id, (row_number() over (order by c.queued_at, c.id))::int as position,
             c.queued_at, c.topic, c.visitor_id, c.start_url, c.language
      from public.conversations c
      where c.org_id = ${orgId} and c.status = 'queued' and c.group_id is not distinct from ${groupId}
    ) q
    join public.visitors v on v.id = q.visitor_id
    where ${only ?? null}::uuid[] is null or q.id = any(${only ?? null}::uuid[])
    order by q.position
    limit ${MAX_ENTRIES}`;
  return rows.map(toEntry);
}

/** The preview of one conversation, placed in its queue (position 1 when it is not queued). */
export async function queueEntryOf(sql: Sql, conversationId: string): Promise<QueueEntry | null> {
  const [c] = await sql<{ org_id: string; group_id: string | null; status: string }[]>`
    select org_id, group_id, status from public.conversations where id = ${conversationId}`;
  if (!c) return null;
  if (c.status === 'queued') {
    const [entry] = await queueEntries(sql, c.org_id, c.group_id, [conversationId]);
    if (entry) return entry;
  }
  const rows = await sql<EntryRow[]>`
    select c.id, c.group_id, 1 as position, c.queued_at, c.topic, c.visitor_id, v.name as visitor_name,
           v.email as visitor_email,
           left(coalesce(nullif(c.start_url, ''), v.attributes ->> 'current_url', ''), 2048) as page_url,
           left(coalesce(v.attributes ->> 'current_title', ''), 500) as page_title,
           (select left(m.body, ${PREVIEW_LENGTH}) from public.messages m
             where m.conversation_id = c.id and m.sender_kind = 'visitor' order by m.seq limit 1) as first_message,
           c.language
    from public.conversations c join public.visitors v on v.id = c.visitor_id
    where c.id = ${conversationId}`;
  return rows[0] ? toEntry(rows[0]) : null;
}

/**
 * The previews of a batch of offered conversations of one group in one query (they are still
 * queued while offered); one that left the queue meanwhile is looked up on its own.
 */
export async function offeredEntries(
  sql: Sql,
  orgId: string,
  groupId: string,
  ids: string[],
): Promise<Map<string, QueueEntry>> {
  const found = new Map<string, QueueEntry>();
  for (const entry of await queueEntries(sql, orgId, groupId, ids)) found.set(entry.conversationId, entry);
  for (const id of ids) {
    if (found.has(id)) continue;
    const entry = await queueEntryOf(sql, id);
    if (entry) found.set(id, entry);
  }
  return found;
}

function toEntry(r: EntryRow): QueueEntry {
  return {
    conversationId: r.id,
    groupId: r.group_id,
    position: r.position,
    queuedAt: r.queued_at.toISOString(),
    topic: r.topic,
    visitor: { id: r.visitor_id, name: r.visitor_name, email: r.visitor_email },
    pageUrl: r.page_url,
    pageTitle: r.page_title,
    firstMessage: r.first_message ?? '',
    language: r.language,
  };
}

export interface QueueRefresher {
  /** The queue of (org, group) changed: refresh it soon (coalesced). */
  changed(orgId: string, groupId: string | null): void;
  close(): void;
}

export function createQueueRefresher(deps: {
  sql: Sql;
  log: Logger;
  notify: Notify;
  feed: ConversationFeed;
  delayMs: number;
}): QueueRefresher {
  const pending = new Map<string, { orgId: string; groupId: string | null }>();
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let closed = false;

  async function refresh(orgId: string, groupId: string | null): Promise<void> {
    const entries = await queueEntries(deps.sql, orgId, groupId);
    await deps.notify.toGroup(orgId, groupId, { type: 'queue', groupId, entries });
    const states = await queuedConversations(
      deps.sql,
      entries.map((e) => e.conversationId),
    );
    for (const conversation of states) {
      await deps.feed.publish(
        { orgId, id: conversation.id },
        { kind: 'conversation', conversationId: conversation.id, conversation },
      );
    }
  }

  /**
   * One pass over the groups that changed. While a pass runs, new changes only collect in
   * `pending`: a burst that outlasts a pass costs one more pass, not one per 500 ms window (passes
   * used to queue up behind each other and refresh the same groups again and again).
   */
  function flush(): void {
    timer = undefined;
    if (refreshing || closed) return;
    const batch = [...pending.values()];
    pending.clear();
    refreshing = (async () => {
      for (const { orgId, groupId } of batch) {
        if (closed) return;
        await refresh(orgId, groupId).catch((error: unknown) =>
          deps.log.warn({ err: error, groupId }, 'queue refresh failed'),
        );
      }
    })().finally(() => {
      refreshing = undefined;
      if (pending.size > 0) arm();
    });
  }

  function arm(): void {
    if (timer || closed) return;
    timer = setTimeout(flush, deps.delayMs);
    timer.unref();
  }

  return {
    changed(orgId, groupId) {
      if (closed) return;
      pending.set(`${orgId}:${groupId ?? ''}`, { orgId, groupId });
      if (!refreshing) arm();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      pending.clear();
    },
  };
}

/**
 * The protocol's Conversation for many queued chats in one query (the same shape and definitions
 * as loadConversation, which answers one at a time).
 */
async function queuedConversations(sql: Sql, ids: string[]): Promise<Conversation[]> {
  if (ids.length === 0) return [];
  const rows = await sql<
    {
      id: string;
      status: Conversation['status'];
      topic: string;
      group_id: string | null;
      visitor_id: string;
      visitor_name: string;
      visitor_email: string;
      last_seq: number;
      visitor_read_seq: number;
      position: number;
      created_at: Date;
      participants: Conversation['participants'];
    }[]
  >`
    select c.id, c.status, c.topic, c.group_id, c.visitor_id, v.name as visitor_name, v.email as visitor_email,
           c.last_seq::int as last_seq, c.visitor_read_seq::int as visitor_read_seq, c.created_at,
           c.position,
           coalesce((
             select json_agg(json_build_object('userId', p.user_id, 'name', coalesce(pm.display_name, ''),
                                               'role', p.role) order by p.joined_at)
             from public.conversation_participants p
             left join public.org_members pm on pm.org_id = p.org_id and pm.user_id = p.user_id
             where p.conversation_id = c.id and p.left_at is null
           ), '[]'::json) as participants
    from (
      -- Places from one pass over the group's queue (not a count per row).
      select q.*, (count(*) over (order by q.queued_at range between unbounded preceding and current row))::int as position
      from public.conversations q
      where q.status = 'queued' and q.org_id = (select org_id from public.conversations where id = ${ids[0] ?? null}::uuid)
        and q.group_id is not distinct from (select group_id from public.conversations where id = ${ids[0] ?? null}::uuid)
    ) c join public.visitors v on v.id = c.visitor_id
    where c.id = any(${ids}::uuid[])`;
  // The group's figures once, then every place's estimate from them (the same formula as
  // private.queue_wait_estimate, which answers one place at a time for loadConversation).
  const groupId = rows[0]?.group_id ?? null;
  const figures = groupId ? await groupFigures(sql, groupId) : null;
  const estimate = (place: number): number | null =>
    figures && figures.slots > 0
      ? Math.ceil(
          (Math.max(0, place - Math.max(0, figures.slots - figures.load)) * figures.handling) / figures.slots,
        )
      : null;
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    topic: r.topic,
    groupId: r.group_id,
    visitor: { id: r.visitor_id, name: r.visitor_name, email: r.visitor_email },
    assignee: null,
    participants: r.participants,
    lastSeq: r.last_seq,
    visitorReadSeq: r.visitor_read_seq,
    queuePosition: r.position,
    estimatedWaitSeconds: estimate(r.position),
    createdAt: r.created_at.toISOString(),
    closedAt: null,
    closedBy: null,
    rating: null,
  }));
}

/** Online slots, their load, and the median handling time of a group (see private.queue_wait_estimate). */
async function groupFigures(
  sql: Sql,
  groupId: string,
): Promise<{ slots: number; load: number; handling: number }> {
  const [row] = await sql<{ slots: number; load: number; handling: number }[]>`
    select coalesce(sum(private.agent_capacity(gm.org_id, gm.user_id, gm.group_id)), 0)::int as slots,
           coalesce(sum(private.agent_load(gm.org_id, gm.user_id)), 0)::int as load,
           coalesce((
             select percentile_cont(0.5) within group (order by extract(epoch from (r.closed_at - r.assigned_at)))
             from (select c.closed_at, c.assigned_at from public.conversations c
                   where c.group_id = ${groupId} and c.status = 'closed' and c.assigned_at is not null
                   order by c.closed_at desc limit 50) r
           ), 300)::float8 as handling
    from public.group_members gm
    join public.agent_status s on s.org_id = gm.org_id and s.user_id = gm.user_id
    where gm.group_id = ${groupId} and s.status = 'online' and s.last_seen_at > now() - interval '2 minutes'`;
  return row ?? { slots: 0, load: 0, handling: 300 };
}
