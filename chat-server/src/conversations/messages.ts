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
 * Stores a message once, through private.persist_message() (migrations 20261121000900 and
 * 20261121001700): the duplicate check (before the closed check, so a resend of an acked message
 * still gets its ack after the close), the seq bump that locks the conversation row and refuses a
 * closed one, and the insert, in one statement, so the common path is one round trip.
 *
 * `afterInsert` (binding attachments) must share the insert's transaction, so a message with
 * one runs the same call inside begin … commit, and a throw there rolls the insert (and its
 * seq) back.
 *
 * A resend that raced its own first copy (both in flight at once) fails the insert with
 * unique_violation and nothing of it is kept; the second try finds the stored row.
 */
export async function persistMessage(
  sql: Sql,
  m: NewMessage,
  afterInsert?: (tx: Tx, message: Message) => Promise<void>,
): Promise<PersistOutcome> {
  try {
    return await persistOnce(sql, m, afterInsert);
  } catch (error) {
    if (!isClientMsgIdRace(error)) throw error;
    return persistOnce(sql, m, afterInsert);
  }
}

async function persistOnce(
  sql: Sql,
  m: NewMessage,
  afterInsert?: (tx: Tx, message: Message) => Promise<void>,
): Promise<PersistOutcome> {
  if (!afterInsert) return persistCall(sql, m);
  return (await sql.begin(async (tx) => {
    const outcome = await persistCall(tx, m);
    if (outcome.kind === 'created') await afterInsert(tx, outcome.message);
    return outcome;
  })) as PersistOutcome;
}

/** unique_violation on (conversation_id, client_msg_id): the same message stored meanwhile. */
function isClientMsgIdRace(error: unknown): boolean {
  const e = error as { code?: unknown; constraint_name?: unknown } | null;
  return e?.code === '23505' && e.constraint_name === 'messages_conversation_id_client_msg_id_key';
}

async function persistCall(sql: Sql | Tx, m: NewMessage): Promise<PersistOutcome> {
  const [row] = await sql<PersistRow[]>`
    select outcome, id, seq::int as seq, created_at,
           case when outcome = 'duplicate' then payload end as payload
    from private.persist_message(${m.orgId}, ${m.conversationId}, ${m.clientMsgId}, ${m.senderKind},
      ${m.senderId}, ${m.body}, ${m.payload ? sql.json(m.payload as Parameters<typeof sql.json>[0]) : null})`;
  if (!row) throw new Error('persist_message returned no row');
  return toPersistOutcome(row, m);
}

/**
 * One result row of persist_message() / persist_messages(), narrowed to what the caller does not
 * know already: a created or duplicate row has the sender, client id and body it was asked to
 * store (a duplicate is one whose body and sender match), so only the stored identity comes back,
 * and the payload only for a duplicate (a resend may carry other attachment ids than the stored
 * one). Fewer columns is less for Postgres to send and for the driver to parse on every message.
 */
export interface PersistRow {
  outcome: PersistOutcome['kind'];
  id: string | null;
  seq: number | null;
  created_at: Date | null;
  /** Only for a duplicate: the stored row's payload. */
  payload: Record<string, unknown> | null;
}

export function toPersistOutcome(row: PersistRow, m: NewMessage): PersistOutcome {
  const kind = row.outcome;
  if (kind === 'created' || kind === 'duplicate') {
    const { id, seq, created_at: createdAt } = row;
    if (id === null || seq === null || createdAt === null)
      throw new Error(`persist_message returned ${kind} without the stored row`);
    return {
      kind,
      message: {
        id,
        conversationId: m.conversationId,
        seq,
        clientMsgId: m.clientMsgId,
        senderKind: m.senderKind,
        senderId: m.senderId,
        senderName: m.senderName,
        body: m.body,
        payload: (kind === 'duplicate' ? row.payload : m.payload) ?? {},
        attachments: [],
        createdAt: createdAt.toISOString(),
      },
    };
  }
  if (kind === 'conflict' || kind === 'closed' || kind === 'not_found') return { kind };
  throw new Error(`persist_message returned an unknown outcome: ${String(kind)}`);
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
