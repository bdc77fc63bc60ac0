/**
 * GET /v1/attachments/:attachmentId/url — a fresh signed URL for an attachment the caller may
 * read (same auth as uploads), so clients can renew links that expired while a chat stayed open.
 */
import type { AppContext } from '../context.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import type { RouteContext } from '../http/router.ts';
import type { FileStorage } from '../storage/index.ts';
import { authenticate, canReadAttachment, checkOrigin } from './access.ts';
import { allowOrigin } from './cors.ts';
import { getAttachment } from './queries.ts';
import { toAttachmentEntity } from './view.ts';

export function createSignedUrlHandler(app: AppContext, storage: FileStorage) {
  return async function signedUrl({ req, res, params }: RouteContext): Promise<void> {
    const origin = req.headers.origin;
    if (origin && app.config.adminOrigins.includes(origin)) allowOrigin(res, origin);
    const principal = await authenticate(app, req);
    allowOrigin(res, await checkOrigin(app, principal, origin));
    const id = params.attachmentId ?? '';
    await canReadAttachment(app, principal, id);
    const row = await getAttachment(app.sql, id);
    if (!row) throw new HttpError(404, 'not_found', 'No such attachment, or you may not access it');
    sendJson(res, 200, await toAttachmentEntity(storage, row, app.config.fileUrlTtlSeconds));
  };
}
