/**
 * POST /v1/conversations/:conversationId/attachments — one multipart `file` part, streamed:
 * authenticate, check the origin and the conversation, then sniff, count and hash the bytes on
 * their way into storage, and record the row. Every refusal happens before or while reading, and
 * a refused upload leaves nothing in storage or in the table.
 */
import { randomUUID } from 'node:crypto';
import type { Attachment } from '@chat/shared';
import type { AppContext } from '../context.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import type { RouteContext } from '../http/router.ts';
import { type FileStorage, storageKey } from '../storage/index.ts';
import { authenticate, checkOrigin, conversationForUpload } from './access.ts';
import { allowOrigin } from './cors.ts';
import { cleanFileName, finalFileName } from './file-name.ts';
import { inspectUpload, tooLarge } from './inspect-upload.ts';
import { insertAttachment } from './queries.ts';
import { MULTIPART_OVERHEAD_BYTES, receiveFile } from './receive-file.ts';
import { toAttachmentEntity } from './view.ts';

export function createUploadHandler(app: AppContext, storage: FileStorage) {
  const maxBytes = app.config.maxUploadBytes;
  const log = app.log.child({ module: 'attachments' });

  return async function upload({ req, res, params }: RouteContext): Promise<void> {
    const origin = req.headers.origin;
    // Admin origins get CORS headers even on a 401, so the admin app can read "token_expired".
    if (origin && app.config.adminOrigins.includes(origin)) allowOrigin(res, origin);
    const principal = await authenticate(app, req);
    allowOrigin(res, await checkOrigin(app, principal, origin));
    const conversation = await conversationForUpload(app, principal, params.conversationId ?? '');
    if (conversation.status === 'closed') {
      throw new HttpError(
        409,
        'conversation_closed',
        'This conversation is closed; files can no longer be added',
      );
    }
    const declaredLength = Number(req.headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > maxBytes + MULTIPART_OVERHEAD_BYTES) {
      throw tooLarge(maxBytes);
    }

    const file = await receiveFile(req, maxBytes);
    const cleaned = cleanFileName(file.fileName);
    const inspected = await inspectUpload(file.stream, maxBytes, {
      declaredType: file.declaredType,
      fileName: cleaned,
    });
    const id = randomUUID();
    const key = storageKey(conversation.orgId, conversation.id, id);
    await storage.put(key, inspected.body, { contentType: inspected.type.contentType });
    const { size, sha256 } = inspected.result();

    let entity: Attachment;
    try {
      const row = await insertAttachment(app.sql, {
        id,
        orgId: conversation.orgId,
        conversationId: conversation.id,
        uploaderKind: principal.kind,
        uploaderId: principal.id,
        fileName: finalFileName(cleaned, inspected.type),
        contentType: inspected.type.contentType,
        sizeBytes: size,
        storageKey: key,
        sha256,
      });
      entity = await toAttachmentEntity(storage, row, app.config.fileUrlTtlSeconds);
    } catch (error) {
      // No row (or no URL for it): do not keep bytes nobody can reference.
      await storage
        .delete(key)
        .catch((e: unknown) => log.warn({ err: e, key }, 'could not remove orphaned upload'));
      throw error;
    }
    log.info(
      {
        attachment: id,
        conversation: conversation.id,
        uploader: principal.kind,
        size,
        type: entity.contentType,
      },
      'attachment uploaded',
    );
    sendJson(res, 201, entity);
  };
}
