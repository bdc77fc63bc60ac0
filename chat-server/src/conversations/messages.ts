/**
 * Persisting and reading messages. The idempotency rule lives here: `(conversation_id,
 * client_msg_id)` is unique, so a resend finds the stored row and gets the same answer; the
 * messages_assign_seq trigger gives each new row the next seq of its conversation.
 */
import type { Message } from '@chat/shared';
import type { Sql, Tx } from '../db/sql.ts';
import type { SenderKind } from './types.ts';

export interface NewMessage {
  orgId: string;
  conversationId: string;
  clientMsgId: string;
  senderKind: SenderKind;
  /** auth.users id for agent and note, visitors.id for visitor, null for system. */
  senderId: string | null;
  /** Shown with the message; not stored (names live on visitors / org_members). */
  senderName: string;
  body: string;
  payload?: Record<string, unknown>;
}

export type PersistOutcome =
  | { kind: 'created' | 'duplicate'; message: Message }
  /** The clientMsgId was used before for a different message. */
  | { kind: 'conflict' }
  | { kind: 'closed' }
  | { kind: 'not_found' };

interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  client_msg_id: string;
  sender_kind: SenderKind;
  sender_id: string | null;
  sender_name?: string;
  body: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/**
 * Stores a message once. The conversation row is locked first, so concurrent sends of one
 * conversation (and a racing close) are serialized: a resend arriving while the first insert is
 * in flight waits and then finds it. The duplicate check comes before the closed check, so a
 * resend of an acked message still gets its ack after the conversation closed.
 *
 * `afterInsert` runs in the same transaction (binding attachments, first_response_at).
 */
export async function persistMessage(
  sql: Sql,
  m: NewMessage,
  afterInsert?: (tx: Tx, message: Message) => Promise<void>,
): Promise<PersistOutcome> {
  return (await sql.begin(async (tx) => {
    const [conv] = await tx<{ status: string }[]>`
      select status from public.conversations
      where id = ${m.conversationId} and org_id = ${m.orgId}
      for update`;
    if (!conv) return { kind: 'not_found' } as const;
    const [existing] = await tx<MessageRow[]>`
      select id, conversation_id, seq::int as seq, client_msg_id, sender_kind, sender_id, body, payload, created_at
      from public.messages
      where conversation_id = ${m.conversationId} and client_msg_id = ${m.clientMsgId}`;
    if (existing) {
      const same =
        existing.body === m.body &&
        existing.sender_kind === m.senderKind &&
        existing.sender_id === m.senderId;
      return same
        ? ({ kind: 'duplicate', message: toMessage(existing, m.senderName) } as const)
        : ({ kind: 'conflict' } as const);
    }
    if (conv.status === 'closed') return { kind: 'closed' } as const;
    // No ON CONFLICT: the seq trigger runs before conflict detection, so a skipped insert
    // would still burn a seq. The row lock above makes a plain insert safe.
    const [row] = await tx<MessageRow[]>`
      insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body, payload)
      values (${m.orgId}, ${m.conversationId}, ${m.clientMsgId}, ${m.senderKind}, ${m.senderId}, ${m.body},
              ${tx.json((m.payload ?? {}) as Parameters<typeof tx.json>[0])})
      returning id, conversation_id, seq::int as seq, client_msg_id, sender_kind, sender_id, body, payload, created_at`;
    const message = toMessage(row as MessageRow, m.senderName);
    if (m.senderKind === 'agent') {
      await tx`
        update public.conversations set first_response_at = now()
        where id = ${m.conversationId} and first_response_at is null`;
    }
    if (afterInsert) await afterInsert(tx, message);
    return { kind: 'created', message } as const;
  })) as PersistOutcome;
}

export interface MessagePage {
  messages: Message[];
  /** The conversation's last_seq, read in the same snapshot as the page. */
  lastSeq: number;
  hasMore: boolean;
  /** Every seq up to here was read (returned, or hidden from this reader): the reader is caught up to it. */
  coveredSeq: number;
}

/**
 * Messages after `afterSeq`, in seq order, at most `limit`. `withNotes: false` hides internal
 * notes (visitors, client viewers). One statement, so the page and last_seq share a snapshot:
 * no committed message is below `lastSeq` and missing from the page.
 */
export async function readMessagesAfter(
  sql: Sql,
  q: { conversationId: string; afterSeq: number; limit: number; withNotes: boolean },
): Promise<MessagePage> {
  const rows = await sql<(MessageRow & { last_seq: number })[]>`
    with conv as (select last_seq from public.conversations where id = ${q.conversationId})
    select m.id, m.conversation_id, m.seq::int as seq, m.client_msg_id, m.sender_kind, m.sender_id, m.body,
           m.payload, m.created_at,
           coalesce(case when m.sender_kind = 'visitor' then v.name else om.display_name end, '') as sender_name,
           (select last_seq::int from conv) as last_seq
    from (select (select last_seq::int from conv) as last_seq) c
    left join public.messages m
      on m.conversation_id = ${q.conversationId} and m.seq > ${q.afterSeq} and m.seq <= c.last_seq
     and (${q.withNotes} or m.sender_kind <> 'note')
    left join public.visitors v on m.sender_kind = 'visitor' and v.id = m.sender_id
    left join public.org_members om
      on m.sender_kind in ('agent', 'note') and om.org_id = m.org_id and om.user_id = m.sender_id
    order by m.seq
    limit ${q.limit + 1}`;
  const lastSeq = rows[0]?.last_seq ?? 0;
  const found = rows.filter((r) => r.id !== null);
  const hasMore = found.length > q.limit;
  const page = hasMore ? found.slice(0, q.limit) : found;
  const messages = page.map((r) => toMessage(r, r.sender_name ?? ''));
  const coveredSeq = hasMore ? (page.at(-1)?.seq ?? q.afterSeq) : Math.max(lastSeq, q.afterSeq);
  return { messages, lastSeq, hasMore, coveredSeq };
}

function toMessage(r: MessageRow, senderName: string): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: r.seq,
    clientMsgId: r.client_msg_id,
    senderKind: r.sender_kind,
    senderId: r.sender_id,
    senderName,
    body: r.body,
    payload: r.payload ?? {},
    attachments: [],
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * A system line (closed, transferred…) written by the server itself, whatever the status.
 * `event` names it and makes its client id: one line per event and conversation.
 */
export async function insertSystemMessage(
  sql: Sql,
  conv: { orgId: string; id: string },
  event: string,
  body: string,
  payload: Record<string, unknown>,
): Promise<Message> {
  const [row] = await sql<MessageRow[]>`
    insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body, payload)
    values (${conv.orgId}, ${conv.id}, ${`system:${event}`}, 'system', null, ${body},
            ${sql.json({ event, ...payload } as Parameters<typeof sql.json>[0])})
    returning id, conversation_id, seq::int as seq, client_msg_id, sender_kind, sender_id, body, payload, created_at`;
  return toMessage(row as MessageRow, '');
}
