/**
 * "May this connection name this conversation?" A visitor may name only their own conversations
 * (the visitor id comes from the token the server signed). An agent may name exactly the
 * conversations RLS lets them read: the check runs as that user (asUser), so the chat server can
 * never widen what the admin app would show them. Both answer null for "no such conversation"
 * and "not yours", so ids cannot be probed.
 */
import type { AgentClaims } from '../auth/agent-token.ts';
import { asUser } from '../db/as-user.ts';
import type { Sql } from '../db/sql.ts';
import type { ConversationRef } from './types.ts';

interface RefRow {
  id: string;
  org_id: string;
  client_id: string;
  visitor_id: string;
  group_id: string | null;
  status: ConversationRef['status'];
}

export async function visitorConversation(
  sql: Sql,
  visitor: { visitorId: string; orgId: string },
  conversationId: string,
): Promise<ConversationRef | null> {
  const rows = await sql<RefRow[]>`
    select id, org_id, client_id, visitor_id, group_id, status from public.conversations
    where id = ${conversationId} and visitor_id = ${visitor.visitorId} and org_id = ${visitor.orgId}`;
  return rows[0] ? toRef(rows[0]) : null;
}

export async function agentConversation(
  sql: Sql,
  claims: AgentClaims,
  conversationId: string,
): Promise<ConversationRef | null> {
  const rows = await asUser(
    sql,
    claims,
    (tx) => tx<RefRow[]>`
      select id, org_id, client_id, visitor_id, group_id, status from public.conversations
      where id = ${conversationId}`,
  );
  return rows[0] ? toRef(rows[0]) : null;
}

/** Which of `conversationIds` RLS lets this agent read now (one query for all of them). */
export async function agentReadable(
  sql: Sql,
  claims: AgentClaims,
  conversationIds: readonly string[],
): Promise<Set<string>> {
  const rows = await asUser(
    sql,
    claims,
    (tx) => tx<{ id: string }[]>`
      select id from public.conversations where id = any(${conversationIds as string[]}::uuid[])`,
  );
  return new Set(rows.map((r) => r.id));
}

function toRef(r: RefRow): ConversationRef {
  return {
    id: r.id,
    orgId: r.org_id,
    clientId: r.client_id,
    visitorId: r.visitor_id,
    groupId: r.group_id,
    status: r.status,
  };
}
