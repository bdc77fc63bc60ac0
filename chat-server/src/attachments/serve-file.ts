/**
 * GET /v1/files/:attachmentId?exp=…&sig=… — downloads through a signed URL (local storage hands
 * these out). The URL is the only credential, so it expires; the answer is locked down so a file
 * can never run as a page of our origin: the stored (sniffed) type with nosniff, a CSP that allows
 * nothing, and a download disposition for everything but images.
 */
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http/respond.ts';
import type { RouteContext } from '../http/router.ts';
import { checkFileUrl, type FileStorage, StorageNotFoundError } from '../storage/index.ts';
import { getAttachment } from './queries.ts';

export function createServeFileHandler(app: AppContext, storage: FileStorage) {
  return async function serveFile({ req, res, url, params }: RouteContext): Promise<void> {
    const id = params.attachmentId ?? '';
    const exp = url.searchParams.get('exp');
    const check = checkFileUrl(app.config.fileUrlSecret, id, exp, url.searchParams.get('sig'));
    if (check === 'invalid') throw new HttpError(403, 'forbidden', 'This file link is not valid');
    if (check === 'expired') {
      throw new HttpError(
        410,
        'link_expired',
        'This file link has expired; get a fresh one from GET /v1/attachments/:id/url',
      );
    }
    const row = await getAttachment(app.sql, id);
    if (!row) throw new HttpError(404, 'not_found', 'This file no longer exists');
    const stored = await storage.get(row.storageKey).catch((error: unknown) => {
      if (error instanceof StorageNotFoundError)
        throw new HttpError(404, 'not_found', 'This file no longer exists');
      throw error;
    });

    const inline = row.contentType.startsWith('image/');
    const secondsLeft = Math.max(0, Number(exp) - Math.floor(Date.now() / 1000));
    res.writeHead(200, {
      'content-type': row.contentType,
      ...(stored.size !== null ? { 'content-length': String(stored.size) } : {}),
      'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', row.fileName),
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      // Widgets on customers' sites show images from this origin.
      'cross-origin-resource-policy': 'cross-origin',
      'referrer-policy': 'no-referrer',
      // The bytes behind an id never change; a browser may keep them as long as the link lives.
      'cache-control': `private, max-age=${secondsLeft}, immutable`,
      etag: `"${row.sha256}"`,
    });
    if (req.method === 'HEAD') {
      stored.stream.destroy();
      res.end();
      return;
    }
    await pipeline(stored.stream, res);
  };
}

/** RFC 6266: an ASCII fallback name plus the exact UTF-8 name (RFC 5987 encoding). */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
