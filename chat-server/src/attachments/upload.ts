/**
 * POST /v1/conversations/:conversationId/attachments — one multipart `file` part, streamed:
 * authenticate, check the origin and the conversation, then sniff, count and hash the bytes on
 * their way into storage, and record the row. Every refusal happens before or while reading, and
 * a refused upload leaves nothing in storage or in the table.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attachment } from '@chat/shared';
import type { AppContext } from '../context.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import type { RouteContext } from '../http/router.ts';
import { type FileStorage, storageKey } from '../storage/index.ts';
import { authenticate, checkOrigin, conversationForUpload } from './access.ts';
import type { AllowedType } from './allowed-types.ts';
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
      abortRequestBody(req, res);
      throw tooLarge(maxBytes);
    }

    const id = randomUUID();
    const key = storageKey(conversation.orgId, conversation.id, id);
    let stored: { cleaned: string; type: AllowedType; size: number; sha256: string };
    try {
      const file = await receiveFile(req, maxBytes);
      const cleaned = cleanFileName(file.fileName);
      const inspected = await inspectUpload(file.stream, maxBytes, {
        declaredType: file.declaredType,
        fileName: cleaned,
      });
      await storage.put(key, inspected.body, { contentType: inspected.type.contentType });
      stored = { cleaned, type: inspected.type, ...inspected.result() };
    } catch (error) {
      abortRequestBody(req, res);
      throw error;
    }
    const { cleaned, type, size, sha256 } = stored;

    let entity: Attachment;
    try {
      const row = await insertAttachment(app.sql, {
        id,
        orgId: conversation.orgId,
        conversationId: conversation.id,
        uploaderKind: principal.kind,
        uploaderId: principal.id,
        fileName: finalFileName(cleaned, type),
        contentType: type.contentType,
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

/** How long the connection stays open after a refusal so the client can read the answer. */
const LINGER_MS = 2000;

/**
 * Stops reading a refused upload and drops the connection shortly after the answer went out.
 * Not `connection: close`: Node would then destroy the socket the moment the answer is written,
 * and a client still sending gets EPIPE before it can read the 413. The short linger lets it read.
 */
function abortRequestBody(req: IncomingMessage, res: ServerResponse): void {
  req.unpipe();
  req.pause();
  res.once('finish', () => {
    // A body that was read to the end leaves a clean connection that can be reused.
    if (!req.complete) setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  });
}
