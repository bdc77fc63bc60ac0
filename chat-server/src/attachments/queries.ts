/**
 * The attachments table as the chat server uses it (role chat_server: select, insert, update).
 * An attachment is uploaded first, unbound (message_id null), and bound to the message that
 * references it when that message is persisted over the WebSocket.
 */
import type { Sql, Tx } from '../db/sql.ts';

export interface AttachmentRow {
  id: string;
  orgId: string;
  conversationId: string;
  messageId: string | null;
  uploaderKind: 'visitor' | 'agent';
  uploaderId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  storageKey: string;
  sha256: string;
  createdAt: Date;
}

type Queryable = Sql | Tx;

const COLUMNS = `id, org_id, conversation_id, message_id, uploader_kind, uploader_id, file_name, content_type,
  size_bytes, storage_key, sha256, created_at`;

interface DbRow {
  id: string;
  org_id: string;
  conversation_id: string;
  message_id: string | null;
  uploader_kind: 'visitor' | 'agent';
  uploader_id: string;
  file_name: string;
  content_type: string;
  size_bytes: string | number;
  storage_key: string;
  sha256: string;
  created_at: Date;
}

function toRow(r: DbRow): AttachmentRow {
  return {
    id: r.id,
    orgId: r.org_id,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    uploaderKind: r.uploader_kind,
    uploaderId: r.uploader_id,
    fileName: r.file_name,
    contentType: r.content_type,
    // bigint arrives as a string; attachments are far below 2^53 bytes.
    sizeBytes: Number(r.size_bytes),
    storageKey: r.storage_key,
    sha256: r.sha256,
    createdAt: r.created_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

export type NewAttachment = Omit<AttachmentRow, 'messageId' | 'createdAt'>;

export async function insertAttachment(sql: Queryable, a: NewAttachment): Promise<AttachmentRow> {
  const rows = await sql<DbRow[]>`
    insert into public.attachments (id, org_id, conversation_id, uploader_kind, uploader_id, file_name,
      content_type, size_bytes, storage_key, sha256)
    values (${a.id}, ${a.orgId}, ${a.conversationId}, ${a.uploaderKind}, ${a.uploaderId}, ${a.fileName},
      ${a.contentType}, ${a.sizeBytes}, ${a.storageKey}, ${a.sha256})
    returning ${sql.unsafe(COLUMNS)}`;
  return toRow(rows[0] as DbRow);
}

/** One attachment by id, as the chat server sees it (no RLS: callers check access). */
export async function getAttachment(sql: Queryable, id: string): Promise<AttachmentRow | null> {
  if (!isUuid(id)) return null;
  const rows = await sql<DbRow[]>`select ${sql.unsafe(COLUMNS)} from public.attachments where id = ${id}`;
  return rows[0] ? toRow(rows[0]) : null;
}

/**
 * The attachments a new message may reference: all of `ids` must exist, belong to
 * `conversationId` and be unbound (and, when `uploader` is given, have been uploaded by them).
 * Returns the rows in the order of `ids`, or null when any id fails, so a message never carries
 * a file from another conversation or one already sent. Inside a transaction the rows are locked
 * (FOR UPDATE) until bindAttachments() binds them, so two messages cannot claim the same file.
 */
export async function getAttachmentsForMessage(
  sql: Queryable,
  input: {
    conversationId: string;
    ids: readonly string[];
    uploader?: { kind: 'visitor' | 'agent'; id: string };
  },
): Promise<AttachmentRow[] | null> {
  const ids = [...new Set(input.ids)];
  if (ids.length === 0) return [];
  if (!ids.every(isUuid) || !isUuid(input.conversationId)) return null;
  const rows = await sql<DbRow[]>`
    select ${sql.unsafe(COLUMNS)} from public.attachments
    where id = any(${ids}::uuid[]) and conversation_id = ${input.conversationId} and message_id is null
    order by id
    for update`;
  if (rows.length !== ids.length) return null;
  const found = rows.map(toRow);
  if (input.uploader) {
    const { kind, id } = input.uploader;
    if (!found.every((r) => r.uploaderKind === kind && r.uploaderId === id)) return null;
  }
  const byId = new Map(found.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) as AttachmentRow);
}

/**
 * Binds unbound attachments to the message that references them. Call in the same transaction as
 * the message insert, after getAttachmentsForMessage(); throws (rolling the transaction back) if
 * any id does not exist, is already bound, or belongs to another conversation than the message.
 */
export async function bindAttachments(
  tx: Queryable,
  messageId: string,
  ids: readonly string[],
): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const updated = await tx`
    update public.attachments set message_id = ${messageId}
    where id = any(${unique}::uuid[]) and message_id is null
      and conversation_id = (select m.conversation_id from public.messages m where m.id = ${messageId})`;
  if (updated.count !== unique.length) {
    throw new Error(
      `Could only bind ${updated.count} of ${unique.length} attachments to message ${messageId}`,
    );
  }
}
