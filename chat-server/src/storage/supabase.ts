/**
 * Attachments in a Supabase Storage bucket, through its REST API with the service role key (the
 * contract storage-js uses):
 *   upload    POST   /storage/v1/object/{bucket}/{path}        raw body, content-type, x-upsert
 *   download  GET    /storage/v1/object/{bucket}/{path}
 *   delete    DELETE /storage/v1/object/{bucket}                {"prefixes": [path]}
 *   sign      POST   /storage/v1/object/sign/{bucket}/{path}   {"expiresIn": s} → {"signedURL": "/object/sign/…?token=…"}
 * The service key is only ever sent to Supabase; clients get signed URLs carrying Supabase's own
 * short-lived token. The bucket must exist and should be private.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { assertSafeKey, type FileStorage, StorageError, StorageNotFoundError } from './types.ts';

export interface SupabaseStorageOptions {
  /** Project URL, e.g. https://abc.supabase.co */
  url: string;
  serviceRoleKey: string;
  bucket: string;
  /** Injected in tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export function createSupabaseStorage(options: SupabaseStorageOptions): FileStorage {
  const base = `${options.url.replace(/\/+$/, '')}/storage/v1`;
  const bucket = encodeURIComponent(options.bucket);
  const doFetch = options.fetch ?? fetch;
  const auth = { authorization: `Bearer ${options.serviceRoleKey}`, apikey: options.serviceRoleKey };

  async function call(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { ...init, method, headers: { ...auth, ...init.headers } });
    } catch (error) {
      throw new StorageError(`Supabase Storage ${method} ${path} failed: ${String(error)}`, { cause: error });
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    // Storage answers a missing object with 404, or with 400 and {"statusCode":"404"} in older versions.
    if (res.status === 404 || /"statusCode"\s*:\s*"404"/.test(text)) {
      throw new StorageNotFoundError(`Supabase Storage has no object at ${path}`);
    }
    throw new StorageError(
      `Supabase Storage ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`,
    );
  }

  const objectPath = (key: string) => {
    assertSafeKey(key);
    return `${bucket}/${key}`;
  };

  async function remove(key: string): Promise<void> {
    assertSafeKey(key);
    await call('DELETE', `/object/${bucket}`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prefixes: [key] }),
    });
  }

  return {
    kind: 'supabase',

    async put(key, body, { contentType }) {
      const path = objectPath(key);
      const init: RequestInit & { duplex?: 'half' } = {
        headers: { 'content-type': contentType, 'cache-control': 'max-age=3600', 'x-upsert': 'false' },
        body: Buffer.isBuffer(body) ? body : (Readable.toWeb(body) as ReadableStream),
      };
      // Streaming request bodies need half duplex in Node's fetch.
      if (!Buffer.isBuffer(body)) init.duplex = 'half';
      try {
        await call('POST', `/object/${path}`, init);
      } catch (error) {
        // The source stream failed (too large, wrong content) or Storage refused: make sure no
        // partial object survives. A failure here is secondary to the original error.
        await remove(key).catch(() => {});
        throw body instanceof Readable && body.errored ? body.errored : error;
      }
    },

    async get(key) {
      const res = await call('GET', `/object/${objectPath(key)}`);
      if (!res.body) throw new StorageError(`Supabase Storage sent no body for ${key}`);
      const length = Number(res.headers.get('content-length'));
      return {
        stream: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
        size: Number.isFinite(length) && res.headers.has('content-length') ? length : null,
      };
    },

    delete: remove,

    async signedUrl(key, { fileName, contentType, expiresIn }) {
      const expiresAt = new Date(Date.now() + expiresIn * 1000);
      const res = await call('POST', `/object/sign/${objectPath(key)}`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ expiresIn }),
      });
      const data = (await res.json().catch(() => null)) as { signedURL?: unknown } | null;
      if (typeof data?.signedURL !== 'string' || !data.signedURL.startsWith('/')) {
        throw new StorageError('Supabase Storage answered a sign request without a signedURL');
      }
      const url = new URL(`${base}${data.signedURL}`);
      // `download` makes Storage answer with Content-Disposition: attachment under this name;
      // images stay inline so the chat can show them.
      if (!contentType.startsWith('image/')) url.searchParams.set('download', fileName);
      return { url: url.toString(), expiresAt };
    },
  };
}
