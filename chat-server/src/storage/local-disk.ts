/**
 * Attachments on local disk under UPLOAD_DIR/<org>/<conversation>/<uuid>. Writes go to a temp file
 * in the same folder and are renamed into place only when complete, so a failed or aborted upload
 * leaves nothing a reader could find. Served by the chat server itself through HMAC-signed URLs
 * (see url-signature.ts and GET /v1/files/:attachmentId).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, type FileStorage, StorageNotFoundError } from './types.ts';
import { signFileUrl } from './url-signature.ts';

export interface LocalDiskOptions {
  /** Root folder; created on first write. */
  dir: string;
  /** HMAC secret for file URLs. */
  urlSecret: string;
  /** Public base URL of the chat server; without it URLs are relative to the server. */
  publicUrl?: string | undefined;
}

export function createLocalDiskStorage(options: LocalDiskOptions): FileStorage {
  const root = resolve(options.dir);
  const pathOf = (key: string) => {
    assertSafeKey(key);
    return join(root, ...key.split('/'));
  };

  return {
    kind: 'local',

    async put(key, body, _options) {
      const target = pathOf(key);
      await mkdir(dirname(target), { recursive: true });
      // A dot-prefixed temp name in the same folder: rename() is then atomic (same file system).
      const temp = join(dirname(target), `.upload-${randomUUID()}.tmp`);
      try {
        const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
        await pipeline(source, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(key) {
      const path = pathOf(key);
      const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw new StorageNotFoundError(`No stored file for ${key}`);
        throw error;
      });
      return { stream: createReadStream(path), size: info.size };
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async signedUrl(key, { attachmentId, expiresIn }) {
      assertSafeKey(key);
      const exp = Math.floor(Date.now() / 1000) + expiresIn;
      const sig = signFileUrl(options.urlSecret, attachmentId, exp);
      const path = `/v1/files/${encodeURIComponent(attachmentId)}?exp=${exp}&sig=${sig}`;
      const url = options.publicUrl ? new URL(path, options.publicUrl).toString() : path;
      return { url, expiresAt: new Date(exp * 1000) };
    },
  };
}
