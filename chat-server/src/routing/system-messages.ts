/**
 * System lines the routing writes (agent joined, transferred, visitor left, idle warning, closed)
 * and internal notes it writes on an agent's behalf (a transfer's note). Each gets its own client
 * id, so the same event may happen twice in one conversation (two transfers).
 */
import { randomUUID } from 'node:crypto';
import type { Message } from '@chat/shared';
import type { Sql, Tx } from '../db/sql.ts';

export type SystemEvent =
  | 'agent_joined'
  | 'transferred'
  | 'agent_left'
  | 'visitor_left'
  | 'idle_warning'
  | 'closed';

interface Row {
  id: string;
  conversation_id: string;
  seq: number;
  client_msg_id: string;
  sender_kind: Message['senderKind'];
  sender_id: string | null;
  body: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

async function insert(
  sql: Sql | Tx,
  conv: { orgId: string; id: string },
  m: { clientMsgId: string; kind: 'system' | 'note'; senderId: string | null; body: string; payload: object },
  senderName: string,
): Promise<Message> {
  const [r] = (await sql`
    insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body, payload)
    values (${conv.orgId}, ${conv.id}, ${m.clientMsgId}, ${m.kind}, ${m.senderId}, ${m.body},
            ${sql.json(m.payload as Parameters<typeof sql.json>[0])})
    returning id, conversation_id, seq::int as seq, client_msg_id, sender_kind, sender_id, body, payload, created_at`) as Row[];
  const row = r as Row;
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    clientMsgId: row.client_msg_id,
    senderKind: row.sender_kind,
    senderId: row.sender_id,
    senderName,
    body: row.body,
    payload: row.payload,
    attachments: [],
    createdAt: row.created_at.toISOString(),
  };
}

export function systemMessage(
  sql: Sql | Tx,
  conv: { orgId: string; id: string },
  event: SystemEvent,
  body: string,
  details: Record<string, unknown> = {},
): Promise<Message> {
  const clientMsgId = event === 'closed' ? 'system:closed' : `system:${event}:${randomUUID()}`;
  return insert(
    sql,
    conv,
    { clientMsgId, kind: 'system', senderId: null, body, payload: { event, ...details } },
    '',
  );
}

/** An internal note by an agent (only agents see it): a transfer's or invite's note, a declined transfer. */
export function agentNote(
  sql: Sql | Tx,
  conv: { orgId: string; id: string },
  agent: { userId: string; name: string },
  body: string,
  details: Record<string, unknown> = {},
): Promise<Message> {
  return insert(
    sql,
    conv,
    { clientMsgId: `note:${randomUUID()}`, kind: 'note', senderId: agent.userId, body, payload: details },
    agent.name,
  );
}
