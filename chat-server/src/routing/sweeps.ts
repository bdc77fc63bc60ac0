/**
 * Timers that must work with any number of instances: each is one `update … returning` in
 * Postgres, so a row is acted on by exactly one instance however many sweep at once, and a chat
 * whose instance died is still warned, closed or marked left by another one.
 */
import type { Message } from '@chat/shared';
import type { Sql } from '../db/sql.ts';
import { type ClosedOffer, revokePendingInTx } from './offers.ts';
import { systemMessage } from './system-messages.ts';

export interface SweptConversation {
  orgId: string;
  id: string;
  groupId: string | null;
  assigneeId: string | null;
  /** The status before the sweep acted. */
  status: string;
  messages: Message[];
  revoked: ClosedOffer[];
}

interface Row {
  id: string;
  org_id: string;
  group_id: string | null;
  assignee_id: string | null;
  status: string;
  minutes: number;
}

/**
 * Idle warning: an active chat without a message for the site's idle_warning_minutes. The warning
 * line is written in the same transaction, so its time equals idle_warned_at: "no message since
 * the warning" is then `last_message_at <= idle_warned_at`. A new message re-arms the warning.
 */
export async function warnIdle(sql: Sql, limit = 200): Promise<SweptConversation[]> {
  return sql.begin(async (tx) => {
    const rows = await tx<Row[]>`
      with due as (
        select c.id from public.conversations c join public.sites s on s.id = c.site_id
        where c.status = 'active'
          and coalesce(c.last_message_at, c.assigned_at, c.created_at) < now() - make_interval(mins => s.idle_warning_minutes)
          and (c.idle_warned_at is null or c.last_message_at > c.idle_warned_at)
        limit ${limit}
        for update of c skip locked
      )
      update public.conversations c set idle_warned_at = now()
      from due, public.sites s
      where c.id = due.id and s.id = c.site_id
      returning c.id, c.org_id, c.group_id, c.assignee_id, c.status::text as status,
                greatest(s.idle_close_minutes - s.idle_warning_minutes, 0) as minutes`;
    const out: SweptConversation[] = [];
    for (const r of rows) {
      const m = await systemMessage(
        tx,
        { orgId: r.org_id, id: r.id },
        'idle_warning',
        `This chat will close in ${r.minutes} minute${r.minutes === 1 ? '' : 's'} without a new message`,
        { closesInMinutes: r.minutes },
      );
      out.push({
        orgId: r.org_id,
        id: r.id,
        groupId: r.group_id,
        assigneeId: r.assignee_id,
        status: r.status,
        messages: [m],
        revoked: [],
      });
    }
    return out;
  }) as Promise<SweptConversation[]>;
}

/** Idle close: warned, nothing said since, and idle_close_minutes reached. Closed by `system`. */
export async function closeIdle(sql: Sql, limit = 200): Promise<SweptConversation[]> {
  return sql.begin(async (tx) => {
    const rows = await tx<Row[]>`
      with due as (
        select c.id from public.conversations c join public.sites s on s.id = c.site_id
        where c.status = 'active' and c.idle_warned_at is not null and c.last_message_at <= c.idle_warned_at
          and c.idle_warned_at < now() - make_interval(mins => greatest(s.idle_close_minutes - s.idle_warning_minutes, 0))
        limit ${limit}
        for update of c skip locked
      )
      update public.conversations c set status = 'closed', closed_at = now(), closed_by = 'system'
      from due, public.sites s
      where c.id = due.id and s.id = c.site_id
      returning c.id, c.org_id, c.group_id, c.assignee_id, 'active' as status, s.idle_close_minutes as minutes`;
    const out: SweptConversation[] = [];
    for (const r of rows) {
      const conv = { orgId: r.org_id, id: r.id };
      const revoked = await revokePendingInTx(tx, r.id);
      const m = await systemMessage(
        tx,
        conv,
        'closed',
        `The chat was closed after ${r.minutes} minutes without messages`,
        {
          by: 'system',
          reason: 'idle',
        },
      );
      out.push({
        orgId: r.org_id,
        id: r.id,
        groupId: r.group_id,
        assigneeId: r.assignee_id,
        status: r.status,
        messages: [m],
        revoked,
      });
    }
    return out;
  }) as Promise<SweptConversation[]>;
}

/**
 * Keeps locally connected visitors "present": their visitors.last_seen_at is stamped while a
 * connection is open, and a returning visitor's chats lose their visitor_left_at mark.
 */
export async function stampVisitors(sql: Sql, visitorIds: string[]): Promise<void> {
  if (visitorIds.length === 0) return;
  await sql`update public.visitors set last_seen_at = now() where id = any(${visitorIds}::uuid[])`;
  await sql`
    update public.conversations set visitor_left_at = null
    where visitor_id = any(${visitorIds}::uuid[]) and visitor_left_at is not null and status = 'active'`;
}

/**
 * Visitor left: no connection stamped them for `graceMs`. An active chat gets a `visitor_left`
 * line (the agent decides; idle close follows); a chat still queued is closed and its offer
 * cancelled, so no agent is offered a chat nobody is waiting in.
 */
export async function markVisitorsLeft(sql: Sql, graceMs: number, limit = 200): Promise<SweptConversation[]> {
  return sql.begin(async (tx) => {
    const rows = await tx<Row[]>`
      with due as (
        select c.id, c.status from public.conversations c join public.visitors v on v.id = c.visitor_id
        where c.status in ('queued', 'active') and c.visitor_left_at is null
          and v.last_seen_at < now() - make_interval(secs => ${graceMs / 1000})
          -- Only chats whose visitor was around when they began (not rows written for a visitor
          -- who never connected, e.g. imported history).
          and v.last_seen_at > c.created_at - interval '5 minutes'
        limit ${limit}
        for update of c skip locked
      )
      update public.conversations c
      set visitor_left_at = now(),
          status = case when due.status = 'queued' then 'closed'::public.conversation_status else c.status end,
          closed_at = case when due.status = 'queued' then now() else c.closed_at end,
          closed_by = case when due.status = 'queued' then 'system' else c.closed_by end
      from due
      where c.id = due.id
      returning c.id, c.org_id, c.group_id, c.assignee_id, due.status::text as status, 0 as minutes`;
    const out: SweptConversation[] = [];
    for (const r of rows) {
      const conv = { orgId: r.org_id, id: r.id };
      const messages = [await systemMessage(tx, conv, 'visitor_left', 'The visitor left the chat', {})];
      let revoked: ClosedOffer[] = [];
      if (r.status === 'queued') {
        revoked = await revokePendingInTx(tx, r.id);
        messages.push(
          await systemMessage(
            tx,
            conv,
            'closed',
            'The chat was closed: the visitor left before an agent joined',
            {
              by: 'system',
              reason: 'visitor_left',
            },
          ),
        );
      }
      out.push({
        orgId: r.org_id,
        id: r.id,
        groupId: r.group_id,
        assigneeId: r.assignee_id,
        status: r.status,
        messages,
        revoked,
      });
    }
    return out;
  }) as Promise<SweptConversation[]>;
}
