/**
 * Where attachment bytes live. The chat server only ever talks to this interface, so local disk
 * (development, single instance) and Supabase Storage (deployments with several instances) are
 * interchangeable through config.
 */
import type { Readable } from 'node:stream';

export interface PutOptions {
  /** The sniffed content type, stored with the object so downloads are served with it. */
  contentType: string;
}

export interface StoredObject {
  stream: Readable;
  /** Size in bytes, when the backend reports it. */
  size: number | null;
}

export interface SignedUrlOptions {
  /** The attachment's id: local URLs are signed over it (GET /v1/files/:attachmentId). */
  attachmentId: string;
  /** Name the browser saves the file under. */
  fileName: string;
  contentType: string;
  /** Seconds the URL stays valid. */
  expiresIn: number;
}

export interface SignedUrl {
  /** Absolute, or relative to the chat server (local storage without PUBLIC_URL). */
  url: string;
  expiresAt: Date;
}

export interface FileStorage {
  readonly kind: 'local' | 'supabase';
  /**
   * Stores the bytes under `key`. Resolves only once they are durably stored; if the source
   * stream fails (too large, wrong content), rejects with that error and leaves nothing behind.
   */
  put(key: string, body: Readable | Buffer, options: PutOptions): Promise<void>;
  /** Rejects with StorageNotFoundError when there is no such object. */
  get(key: string): Promise<StoredObject>;
  /** Removes the object; a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** A URL anyone holding it can download from until it expires. */
  signedUrl(key: string, options: SignedUrlOptions): Promise<SignedUrl>;
}

/** A storage backend failed (network, permissions, full disk). Never shown to clients verbatim. */
export class StorageError extends Error {
  override name = 'StorageError';
}

export class StorageNotFoundError extends StorageError {
  override name = 'StorageNotFoundError';
}

/**
 * Keys are `<org>/<conversation>/<uuid>`: every part a uuid, so a key can never climb out of its
 * folder on disk or in a bucket. Checked by both backends before any I/O.
 */
const KEY_PATTERN = /^[0-9a-f-]{36}\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

export function assertSafeKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw new StorageError(`Refusing unsafe storage key ${JSON.stringify(key)}`);
}

export function storageKey(orgId: string, conversationId: string, objectId: string): string {
  const key = `${orgId}/${conversationId}/${objectId}`.toLowerCase();
  assertSafeKey(key);
  return key;
}
