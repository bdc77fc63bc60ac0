/**
 * Attachments on messages as clients receive them: bound rows (src/attachments/queries.ts binds
 * them when the message is stored) turned into entities with fresh signed URLs. Messages record
 * `payload.attachmentIds`, so pages without files cost no query.
 */
import type { Message } from '@chat/shared';
import { type AttachmentRow, toAttachmentEntity } from '../attachments/index.ts';
import type { Sql } from '../db/sql.ts';
import type { FileStorage } from '../storage/index.ts';

export interface AttachmentViews {
  storage: FileStorage;
  ttlSeconds: number;
}

/** Fills `attachments` on the messages that have some (in place; returns the same array). */
export async function withAttachments(
  sql: Sql,
  views: AttachmentViews,
  messages: Message[],
): Promise<Message[]> {
  const ids = messages.filter(hasAttachments).map((m) => m.id);
  if (ids.length === 0) return messages;
  const rows = await sql<(Omit<AttachmentRow, 'sizeBytes'> & { sizeBytes: string | number })[]>`
    select id, org_id as "orgId", conversation_id as "conversationId", message_id as "messageId",
           uploader_kind as "uploaderKind", uploader_id as "uploaderId", file_name as "fileName",
           content_type as "contentType", size_bytes as "sizeBytes", storage_key as "storageKey", sha256,
           created_at as "createdAt"
    from public.attachments where message_id = any(${ids}::uuid[])
    order by created_at, id`;
  const byMessage = new Map<string, AttachmentRow[]>();
  for (const r of rows) {
    const row: AttachmentRow = { ...r, sizeBytes: Number(r.sizeBytes) };
    const list = byMessage.get(row.messageId as string) ?? [];
    list.push(row);
    byMessage.set(row.messageId as string, list);
  }
  for (const m of messages) {
    const list = byMessage.get(m.id);
    if (list) m.attachments = await entities(views, list);
  }
  return messages;
}

export function entities(views: AttachmentViews, rows: AttachmentRow[]) {
  return Promise.all(rows.map((r) => toAttachmentEntity(views.storage, r, views.ttlSeconds)));
}

function hasAttachments(m: Message): boolean {
  const ids = m.payload.attachmentIds;
  return Array.isArray(ids) && ids.length > 0;
}
