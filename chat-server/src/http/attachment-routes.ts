/**
 * Attachment routes: upload into a conversation, renew a signed link, download through one.
 * See src/attachments/ for the logic and src/storage/ for where the bytes live.
 */

import { answerPreflight, siteOfAttachment, siteOfConversation } from '../attachments/cors.ts';
import { createServeFileHandler } from '../attachments/serve-file.ts';
import { createSignedUrlHandler } from '../attachments/signed-url.ts';
import { createUploadHandler } from '../attachments/upload.ts';
import type { AppContext } from '../context.ts';
import { createFileStorage, type FileStorage } from '../storage/index.ts';
import type { Route } from './router.ts';

export function attachmentRoutes(
  app: AppContext,
  storage: FileStorage = createFileStorage(app.config),
): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/conversations/:conversationId/attachments',
      handler: createUploadHandler(app, storage),
    },
    {
      method: 'OPTIONS',
      path: '/v1/conversations/:conversationId/attachments',
      handler: (ctx) =>
        answerPreflight(app, ctx, 'POST', () => siteOfConversation(app, ctx.params.conversationId ?? '')),
    },
    {
      method: 'GET',
      path: '/v1/attachments/:attachmentId/url',
      handler: createSignedUrlHandler(app, storage),
    },
    {
      method: 'OPTIONS',
      path: '/v1/attachments/:attachmentId/url',
      handler: (ctx) =>
        answerPreflight(app, ctx, 'GET', () => siteOfAttachment(app, ctx.params.attachmentId ?? '')),
    },
    { method: 'GET', path: '/v1/files/:attachmentId', handler: createServeFileHandler(app, storage) },
  ];
}
