/** An attachment as clients receive it (the protocol's Attachment entity), with a fresh signed URL. */
import type { Attachment } from '@chat/shared';
import type { FileStorage } from '../storage/index.ts';
import type { AttachmentRow } from './queries.ts';

export async function toAttachmentEntity(
  storage: FileStorage,
  row: AttachmentRow,
  ttlSeconds: number,
): Promise<Attachment> {
  const signed = await storage.signedUrl(row.storageKey, {
    attachmentId: row.id,
    fileName: row.fileName,
    contentType: row.contentType,
    expiresIn: ttlSeconds,
  });
  return {
    id: row.id,
    fileName: row.fileName,
    contentType: row.contentType,
    sizeBytes: row.sizeBytes,
    url: signed.url,
    urlExpiresAt: signed.expiresAt.toISOString(),
  };
}
