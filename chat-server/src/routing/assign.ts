/**
 * Giving a conversation to an agent, inside the caller's transaction (accepting an offer, claiming
 * from the queue): status active, the agent as assignee and participant, first assignment time
 * kept for the figures, the previous assignee (after a transfer) marked as gone, a system line.
 * The capacity trigger re-checks the agent's limit under their row lock; a full agent fails here.
 */
import type { Message } from '@chat/shared';
import type { Tx } from '../db/sql.ts';
import { systemMessage } from './system-messages.ts';

export interface Assignee {
  userId: string;
  name: string;
}

export async function assignInTx(
  tx: Tx,
  conv: { orgId: string; id: string },
  agent: Assignee,
  via: 'offer' | 'claim' | 'transfer',
): Promise<Message> {
  await tx`
    update public.conversations
    set status = 'active', assignee_id = ${agent.userId}, assigned_at = coalesce(assigned_at, now()),
        visitor_left_at = null, idle_warned_at = null
    where id = ${conv.id} and org_id = ${conv.orgId}`;
  // A previous assignee (transfer) leaves; the new one joins, or re-joins after leaving earlier.
  await tx`
    update public.conversation_participants set left_at = now()
    where conversation_id = ${conv.id} and role = 'assignee' and user_id <> ${agent.userId} and left_at is null`;
  await tx`
    insert into public.conversation_participants (org_id, conversation_id, user_id, role)
    values (${conv.orgId}, ${conv.id}, ${agent.userId}, 'assignee')
    on conflict (conversation_id, user_id) do update set role = 'assignee', left_at = null, joined_at = now()`;
  await tx`
    insert into private.agent_routing_stats (org_id, user_id, last_assigned_at)
    values (${conv.orgId}, ${agent.userId}, now())
    on conflict (org_id, user_id) do update set last_assigned_at = now(), updated_at = now()`;
  return systemMessage(tx, conv, 'agent_joined', `${agent.name || 'An agent'} joined the chat`, {
    userId: agent.userId,
    via,
  });
}

/** Medians over the agent's last 20 closed chats, for scoring (after each close). */
export async function refreshAgentStats(tx: Tx | import('../db/sql.ts').Sql, orgId: string, userId: string) {
  await tx`
    insert into private.agent_routing_stats
      (org_id, user_id, median_first_response_seconds, median_handling_seconds, chats_counted, updated_at)
    select ${orgId}, ${userId},
           (percentile_cont(0.5) within group (order by r.first_response))::int,
           (percentile_cont(0.5) within group (order by r.handling))::int,
           count(*)::int, now()
    from (
      select extract(epoch from (c.first_response_at - c.created_at)) as first_response,
             extract(epoch from (c.closed_at - coalesce(c.assigned_at, c.created_at))) as handling
      from public.conversations c
      where c.assignee_id = ${userId} and c.org_id = ${orgId} and c.status = 'closed'
      order by c.closed_at desc limit 20
    ) r
    on conflict (org_id, user_id) do update
      set median_first_response_seconds = excluded.median_first_response_seconds,
          median_handling_seconds = excluded.median_handling_seconds,
          chats_counted = excluded.chats_counted, updated_at = now()`;
}
