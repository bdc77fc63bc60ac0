/**
 * FileStorage: one contract, run against local disk and against Supabase Storage (a fake built to
 * the documented REST contract, see helpers/fake-supabase-storage.ts), plus what is particular to
 * each: temp files and folders on disk, the service key and signed URLs for Supabase.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkFileUrl,
  type FileStorage,
  StorageError,
  StorageNotFoundError,
  signFileUrl,
  storageKey,
} from '../src/storage/index.ts';
import { createLocalDiskStorage } from '../src/storage/local-disk.ts';
import { createSupabaseStorage } from '../src/storage/supabase.ts';
import { type FakeSupabaseStorage, startFakeSupabaseStorage } from './helpers/fake-supabase-storage.ts';

const SECRET = 'storage-test-file-url-secret-0123456789abcdef';
const newKey = () => storageKey(randomUUID(), randomUUID(), randomUUID());

/** A stream that yields some bytes, then fails like an upload refused half-way. */
function failingStream(): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.from('first part of the file, ');
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('refused half-way');
    })(),
  );
}

function storageContract(name: string, make: () => FileStorage) {
  describe(`${name}: FileStorage contract`, () => {
    it('stores a buffer and a stream and reads both back with their sizes', async () => {
      const storage = make();
      const a = newKey();
      const b = newKey();
      await storage.put(a, Buffer.from('hello buffer'), { contentType: 'text/plain; charset=utf-8' });
      await storage.put(b, Readable.from([Buffer.from('hello '), Buffer.from('stream')]), {
        contentType: 'text/plain; charset=utf-8',
      });
      const got = await storage.get(a);
      expect(await text(got.stream)).toBe('hello buffer');
      expect(got.size).toBe(12);
      expect(await text((await storage.get(b)).stream)).toBe('hello stream');
    });

    it('rejects with the source error when the stream fails, and keeps nothing', async () => {
      const storage = make();
      const key = newKey();
      await expect(storage.put(key, failingStream(), { contentType: 'text/plain' })).rejects.toThrow(
        'refused half-way',
      );
      await expect(storage.get(key)).rejects.toBeInstanceOf(StorageNotFoundError);
    });

    it('deletes, and deleting a missing object is fine', async () => {
      const storage = make();
      const key = newKey();
      await storage.put(key, Buffer.from('x'), { contentType: 'text/plain' });
      await storage.delete(key);
      await expect(storage.get(key)).rejects.toBeInstanceOf(StorageNotFoundError);
      await expect(storage.delete(key)).resolves.toBeUndefined();
    });

    it('refuses keys that could leave their folder', async () => {
      const storage = make();
      for (const key of ['../../etc/passwd', 'a/b/c', `${randomUUID()}/${randomUUID()}/../x`, '']) {
        await expect(
          storage.put(key, Buffer.from('x'), { contentType: 'text/plain' }),
        ).rejects.toBeInstanceOf(StorageError);
        await expect(storage.get(key)).rejects.toBeInstanceOf(StorageError);
      }
    });

    it('signs URLs that expire after the requested time', async () => {
      const storage = make();
      const key = newKey();
      await storage.put(key, Buffer.from('x'), { contentType: 'application/pdf' });
      const before = Date.now();
      const signed = await storage.signedUrl(key, {
        attachmentId: randomUUID(),
        fileName: 'invoice.pdf',
        contentType: 'application/pdf',
        expiresIn: 120,
      });
      expect(signed.url.length).toBeGreaterThan(20);
      expect(signed.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 119_000);
      expect(signed.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 121_000);
    });
  });
}

describe('local disk storage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-local-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const make = () => createLocalDiskStorage({ dir, urlSecret: SECRET });
  storageContract('local disk', make);

  it('lays files out as <org>/<conversation>/<uuid> and leaves no temp file after a failure', async () => {
    const [org, conversation, id] = [randomUUID(), randomUUID(), randomUUID()];
    const storage = make();
    await storage.put(storageKey(org, conversation, id), Buffer.from('kept'), { contentType: 'text/plain' });
    await storage
      .put(storageKey(org, conversation, randomUUID()), failingStream(), { contentType: 'text/plain' })
      .catch(() => {});
    expect(await readdir(join(dir, org, conversation))).toEqual([id]);
  });

  it('signs /v1/files URLs over the attachment id and expiry, relative unless PUBLIC_URL is set', async () => {
    const attachmentId = randomUUID();
    const key = newKey();
    const relative = await make().signedUrl(key, {
      attachmentId,
      fileName: 'a.png',
      contentType: 'image/png',
      expiresIn: 60,
    });
    const url = new URL(relative.url, 'http://x');
    expect(relative.url.startsWith(`/v1/files/${attachmentId}?`)).toBe(true);
    expect(checkFileUrl(SECRET, attachmentId, url.searchParams.get('exp'), url.searchParams.get('sig'))).toBe(
      'ok',
    );
    expect(checkFileUrl(SECRET, randomUUID(), url.searchParams.get('exp'), url.searchParams.get('sig'))).toBe(
      'invalid',
    );
    const absolute = await createLocalDiskStorage({
      dir,
      urlSecret: SECRET,
      publicUrl: 'https://chat.example',
    }).signedUrl(key, { attachmentId, fileName: 'a.png', contentType: 'image/png', expiresIn: 60 });
    expect(absolute.url.startsWith(`https://chat.example/v1/files/${attachmentId}?exp=`)).toBe(true);
  });
});

describe('file URL signatures', () => {
  const id = randomUUID();
  it('accepts a fresh signature, calls a past one expired and anything altered invalid', () => {
    const now = 1_800_000_000;
    const sig = signFileUrl(SECRET, id, now + 10);
    expect(checkFileUrl(SECRET, id, String(now + 10), sig, now)).toBe('ok');
    expect(checkFileUrl(SECRET, id, String(now + 10), sig, now + 11)).toBe('expired');
    expect(checkFileUrl(SECRET, id, String(now + 1000), sig, now)).toBe('invalid');
    expect(checkFileUrl('another-secret-another-secret-another', id, String(now + 10), sig, now)).toBe(
      'invalid',
    );
    const tampered = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    expect(checkFileUrl(SECRET, id, String(now + 10), tampered, now)).toBe('invalid');
    expect(checkFileUrl(SECRET, id, null, sig, now)).toBe('invalid');
    expect(checkFileUrl(SECRET, id, String(now + 10), 'not-hex', now)).toBe('invalid');
  });
});

describe('Supabase storage', () => {
  let fake: FakeSupabaseStorage;
  beforeAll(async () => {
    fake = await startFakeSupabaseStorage();
  });
  afterAll(async () => {
    await fake?.close();
  });
  const make = () =>
    createSupabaseStorage({ url: fake.url, serviceRoleKey: fake.serviceKey, bucket: fake.bucket });
  storageContract('Supabase', make);

  it('uploads with the service key and the content type, without overwriting', async () => {
    const key = newKey();
    await make().put(key, Buffer.from('%PDF-1.4'), { contentType: 'application/pdf' });
    const stored = fake.objects.get(`${fake.bucket}/${key}`);
    expect(stored?.contentType).toBe('application/pdf');
    expect(stored?.bytes.toString()).toBe('%PDF-1.4');
    const upload = fake.requests.find((r) => r.method === 'POST' && r.url.endsWith(key));
    expect(upload?.headers['x-upsert']).toBe('false');
    await expect(make().put(key, Buffer.from('again'), { contentType: 'text/plain' })).rejects.toThrow(/409/);
  });

  it('hands out signed URLs that download without the service key, and never contain it', async () => {
    const key = newKey();
    await make().put(key, Buffer.from('quarterly numbers'), { contentType: 'application/pdf' });
    const signed = await make().signedUrl(key, {
      attachmentId: randomUUID(),
      fileName: 'report Q3.pdf',
      contentType: 'application/pdf',
      expiresIn: 60,
    });
    expect(signed.url).not.toContain(fake.serviceKey);
    expect(signed.url.startsWith(`${fake.url}/storage/v1/object/sign/${fake.bucket}/${key}?token=`)).toBe(
      true,
    );
    const res = await fetch(signed.url); // no Authorization header
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain('report Q3.pdf');
    expect(await res.text()).toBe('quarterly numbers');
  });

  it('keeps images inline (no download parameter)', async () => {
    const key = newKey();
    await make().put(key, Buffer.from('png'), { contentType: 'image/png' });
    const signed = await make().signedUrl(key, {
      attachmentId: randomUUID(),
      fileName: 'a.png',
      contentType: 'image/png',
      expiresIn: 60,
    });
    expect(new URL(signed.url).searchParams.has('download')).toBe(false);
  });

  it('reports a wrong service key as a storage error, not as a missing object', async () => {
    const wrong = createSupabaseStorage({
      url: fake.url,
      serviceRoleKey: 'x'.repeat(40),
      bucket: fake.bucket,
    });
    const error = await wrong.put(newKey(), Buffer.from('x'), { contentType: 'text/plain' }).catch((e) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).not.toBeInstanceOf(StorageNotFoundError);
  });

  it('reports an unreachable Storage clearly', async () => {
    const down = createSupabaseStorage({
      url: 'http://127.0.0.1:1',
      serviceRoleKey: fake.serviceKey,
      bucket: 'b-b',
    });
    await expect(down.get(newKey())).rejects.toThrow(/Supabase Storage GET .* failed/);
  });
});
