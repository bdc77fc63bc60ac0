/**
 * Attachments through real HTTP: a real chat server on a free port, the seeded test database,
 * local disk storage in a temp folder, real PNG/PDF/DOCX/text bytes, visitor tokens signed by the
 * server and agent tokens from signing in to the Auth stand-in.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Attachment } from '@chat/shared';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInClient, superuserSql } from '../../supabase/tests/helpers/clients.ts';
import { bindAttachments, getAttachmentsForMessage } from '../src/attachments/index.ts';
import type { ChatServer } from '../src/server.ts';
import { signFileUrl } from '../src/storage/index.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { createConversation, visitorClaims } from './helpers/conversation-fixtures.ts';
import { type FakeSupabaseStorage, startFakeSupabaseStorage } from './helpers/fake-supabase-storage.ts';

const NORTHWIND = '10000000-0000-4000-8000-000000000001';
const ALLOWED_ORIGIN = 'http://localhost:3000'; // the Acme site allows localhost
const ADMIN_ORIGIN = 'http://localhost:5173';

/** A real PNG: signature, IHDR, one zlib-compressed IDAT of RGB pixels, IEND, with CRCs. */
function makePng(width = 3, height = 2): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let i = 0; i < rows.length; i++) rows[i] = i % (1 + width * 3) === 0 ? 0 : (i * 37) % 256;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

interface ApiError {
  error: { code: string; message: string };
}
const asError = async (res: Response) => (await res.json()) as ApiError;
const asAttachment = async (res: Response) => (await res.json()) as Attachment;

interface UploadOptions {
  token?: string | null;
  origin?: string | null;
  bytes: Buffer;
  type: string;
  /** undefined: let FormData name it ("blob", as browsers do for a pasted image). */
  name?: string;
}

describe('attachments over HTTP', () => {
  let server: ChatServer;
  let su: postgres.Sql;
  let uploadDir: string;
  let contosoAgentToken: string;
  let northwindAgentToken: string;
  let viewerToken: string;

  async function newConversation(status: 'active' | 'closed' = 'active') {
    const conv = await createConversation(su, { name: 'Attachment tester', status });
    const { token } = server.app.visitorTokens.sign(visitorClaims(conv));
    return { visitorId: conv.visitorId, conversationId: conv.id, token };
  }

  function upload(conversationId: string, o: UploadOptions): Promise<Response> {
    const form = new FormData();
    const blob = new Blob([new Uint8Array(o.bytes)], { type: o.type });
    if (o.name === undefined) form.append('file', blob);
    else form.append('file', blob, o.name);
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.origin !== null) headers.origin = o.origin ?? ALLOWED_ORIGIN;
    return fetch(`${server.url}/v1/conversations/${conversationId}/attachments`, {
      method: 'POST',
      body: form,
      headers,
    });
  }

  async function accessToken(email: string): Promise<string> {
    const client = await signedInClient(email);
    const { data } = await client.auth.getSession();
    if (!data.session) throw new Error(`no session for ${email}`);
    return data.session.access_token;
  }

  async function filesOnDisk(conversationId: string): Promise<string[]> {
    return readdir(join(uploadDir, NORTHWIND, conversationId)).catch(() => []);
  }

  async function rowsFor(conversationId: string) {
    return su`select * from public.attachments where conversation_id = ${conversationId}`;
  }

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'attachments-it-'));
    server = await startChatServer({ UPLOAD_DIR: uploadDir, FILE_URL_TTL_SECONDS: '600' });
    su = superuserSql();
    [contosoAgentToken, northwindAgentToken, viewerToken] = await Promise.all([
      accessToken('agent@contoso.test'),
      accessToken('agent1@northwind.test'),
      accessToken('viewer@acme.test'),
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await su?.end();
    await rm(uploadDir, { recursive: true, force: true });
  });

  it('lets a visitor upload a PNG, then download identical bytes through the signed URL', async () => {
    const { conversationId, visitorId, token } = await newConversation();
    const png = makePng();
    const res = await upload(conversationId, { token, bytes: png, type: 'image/png', name: 'photo.png' });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const body = await asAttachment(res);
    expect(body).toMatchObject({ fileName: 'photo.png', contentType: 'image/png', sizeBytes: png.length });
    expect(new Date(body.urlExpiresAt).getTime()).toBeGreaterThan(Date.now() + 500_000);

    const [row] = await rowsFor(conversationId);
    expect(row).toMatchObject({
      id: body.id,
      uploader_kind: 'visitor',
      uploader_id: visitorId,
      message_id: null,
    });
    expect(row?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await filesOnDisk(conversationId)).toEqual([body.id]);

    const download = await fetch(new URL(body.url, server.url));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.headers.get('content-disposition')).toMatch(/^inline; filename="photo.png"/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(download.headers.get('cache-control')).toMatch(/private, max-age=\d+/);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
  });

  it('accepts a pasted screenshot (an image/png blob without a file name)', async () => {
    const { conversationId, token } = await newConversation();
    const res = await upload(conversationId, { token, bytes: makePng(8, 8), type: 'image/png' });
    expect(res.status).toBe(201);
    const body = await asAttachment(res);
    expect(body.fileName).toMatch(/^screenshot-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.png$/);
    expect(body.contentType).toBe('image/png');
  });

  it('accepts a PDF, a DOCX and UTF-8 text, each stored with its sniffed type', async () => {
    const { conversationId, token } = await newConversation();
    const docx = await readFile(new URL('./fixtures/minimal.docx', import.meta.url));
    const cases = [
      { bytes: PDF, type: 'application/octet-stream', name: 'invoice.pdf', expected: 'application/pdf' },
      {
        bytes: docx,
        type: 'application/octet-stream',
        name: 'letter.docx',
        expected: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      },
      {
        bytes: Buffer.from('Grüße aus Köln — booking ABC123\n'),
        type: 'text/plain',
        name: 'notes.txt',
        expected: 'text/plain; charset=utf-8',
      },
    ];
    for (const c of cases) {
      const res = await upload(conversationId, { token, bytes: c.bytes, type: c.type, name: c.name });
      expect(res.status, c.name).toBe(201);
      const body = await asAttachment(res);
      expect(body.contentType).toBe(c.expected);
      expect(body.fileName).toBe(c.name);
      const download = await fetch(new URL(body.url, server.url));
      expect(download.headers.get('content-disposition')).toMatch(/^attachment; /);
      expect(Buffer.from(await download.arrayBuffer()).equals(c.bytes)).toBe(true);
    }
  });

  it('refuses an .exe, HTML and SVG renamed to .png with 415, keeping nothing', async () => {
    const { conversationId, token } = await newConversation();
    const disguised = [
      Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]),
      Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ];
    for (const bytes of disguised) {
      const res = await upload(conversationId, { token, bytes, type: 'image/png', name: 'cute-cat.png' });
      expect(res.status).toBe(415);
      const { error } = await asError(res);
      expect(error.code).toBe('unsupported_media_type');
      expect(error.message).toMatch(/Allowed: images/);
    }
    // HTML that claims to be plain text is still refused.
    const html = await upload(conversationId, {
      token,
      bytes: Buffer.from('<html><body onload="alert(1)"></body></html>'),
      type: 'text/plain',
      name: 'readme.txt',
    });
    expect(html.status).toBe(415);
    expect(await rowsFor(conversationId)).toHaveLength(0);
    expect(await filesOnDisk(conversationId)).toEqual([]);
  });

  it('answers 413 to an 11 MB upload announced by Content-Length, keeping nothing', async () => {
    const { conversationId, token } = await newConversation();
    const big = Buffer.concat([makePng(), Buffer.alloc(11 * 1024 * 1024)]);
    const res = await upload(conversationId, { token, bytes: big, type: 'image/png', name: 'huge.png' });
    expect(res.status).toBe(413);
    expect((await asError(res)).error.code).toBe('payload_too_large');
    expect(await rowsFor(conversationId)).toHaveLength(0);
    expect(await filesOnDisk(conversationId)).toEqual([]);
  });

  it('answers 413 to a streamed upload without Content-Length as soon as it crosses 10 MB', async () => {
    const { conversationId, token } = await newConversation();
    const boundary = `----chat-test-${randomUUID()}`;
    const endless = 40 * 1024 * 1024; // a client that would keep sending far past the limit
    const outcome = await new Promise<{ status: number; body: string; writtenAtAnswer: number }>(
      (resolve, reject) => {
        let written = 0;
        let answered = false;
        const req = httpRequest(`${server.url}/v1/conversations/${conversationId}/attachments`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            origin: ALLOWED_ORIGIN,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'transfer-encoding': 'chunked',
          },
        });
        req.on('response', (res) => {
          answered = true;
          const writtenAtAnswer = written;
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body, writtenAtAnswer });
            req.destroy();
          });
        });
        req.on('error', (error) => {
          if (!answered) reject(error);
        });
        const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\nContent-Type: image/png\r\n\r\n`;
        req.write(head);
        req.write(makePng());
        const chunk = Buffer.alloc(256 * 1024, 7);
        const pump = () => {
          while (!answered && written < endless) {
            written += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (!answered) req.end(`\r\n--${boundary}--\r\n`);
        };
        pump();
      },
    );
    expect(outcome.status).toBe(413);
    expect(JSON.parse(outcome.body).error.code).toBe('payload_too_large');
    // The answer came while the client was still sending, not after the whole body.
    expect(outcome.writtenAtAnswer).toBeGreaterThan(9 * 1024 * 1024);
    expect(outcome.writtenAtAnswer).toBeLessThan(endless);
    expect(await rowsFor(conversationId)).toHaveLength(0);
    expect(await filesOnDisk(conversationId)).toEqual([]);
  });

  it("answers 404 to a visitor uploading to another visitor's conversation", async () => {
    const mine = await newConversation();
    const theirs = await newConversation();
    const res = await upload(theirs.conversationId, {
      token: mine.token,
      bytes: makePng(),
      type: 'image/png',
    });
    expect(res.status).toBe(404);
    const unknown = await upload(randomUUID(), { token: mine.token, bytes: makePng(), type: 'image/png' });
    expect(unknown.status).toBe(404);
    // Same answer for both, so conversation ids cannot be probed.
    expect(await res.json()).toEqual(await unknown.json());
    expect(await rowsFor(theirs.conversationId)).toHaveLength(0);
  });

  it('answers 409 to uploads into a closed conversation', async () => {
    const { conversationId, token } = await newConversation('closed');
    const res = await upload(conversationId, { token, bytes: makePng(), type: 'image/png' });
    expect(res.status).toBe(409);
    expect((await asError(res)).error.code).toBe('conversation_closed');
  });

  it('lets a Northwind agent upload, answers 404 to a Contoso agent and 403 to a client_viewer', async () => {
    const { conversationId } = await newConversation();
    const agent = await upload(conversationId, {
      token: northwindAgentToken,
      origin: ADMIN_ORIGIN,
      bytes: PDF,
      type: 'application/pdf',
      name: 'terms.pdf',
    });
    expect(agent.status).toBe(201);
    expect(agent.headers.get('access-control-allow-origin')).toBe(ADMIN_ORIGIN);
    const [row] = await rowsFor(conversationId);
    expect(row).toMatchObject({
      uploader_kind: 'agent',
      uploader_id: '20000000-0000-4000-8000-000000000004',
    });

    const contoso = await upload(conversationId, {
      token: contosoAgentToken,
      origin: ADMIN_ORIGIN,
      bytes: PDF,
      type: 'application/pdf',
    });
    expect(contoso.status).toBe(404);
    const viewer = await upload(conversationId, {
      token: viewerToken,
      origin: ADMIN_ORIGIN,
      bytes: PDF,
      type: 'application/pdf',
    });
    expect(viewer.status).toBe(403);
    expect((await asError(viewer)).error.code).toBe('forbidden');
    expect(await rowsFor(conversationId)).toHaveLength(1);
  });

  it('refuses a disallowed Origin with 403 and a missing token with 401', async () => {
    const { conversationId, token } = await newConversation();
    const evil = await upload(conversationId, {
      token,
      origin: 'https://evil.test',
      bytes: makePng(),
      type: 'image/png',
    });
    expect(evil.status).toBe(403);
    expect((await asError(evil)).error.code).toBe('forbidden_origin');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const agentFromEvil = await upload(conversationId, {
      token: northwindAgentToken,
      origin: 'https://evil.test',
      bytes: makePng(),
      type: 'image/png',
    });
    expect(agentFromEvil.status).toBe(403);
    const anonymous = await upload(conversationId, { token: null, bytes: makePng(), type: 'image/png' });
    expect(anonymous.status).toBe(401);
    expect((await asError(anonymous)).error.code).toBe('unauthorized');
    const forged = await upload(conversationId, { token: `${token}x`, bytes: makePng(), type: 'image/png' });
    expect(forged.status).toBe(401);
    expect(await rowsFor(conversationId)).toHaveLength(0);
  });

  it('answers CORS preflights for the site domains and admin origins only', async () => {
    const { conversationId } = await newConversation();
    const preflight = (origin: string) =>
      fetch(`${server.url}/v1/conversations/${conversationId}/attachments`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    const site = await preflight(ALLOWED_ORIGIN);
    expect(site.status).toBe(204);
    expect(site.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(site.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight(ADMIN_ORIGIN)).headers.get('access-control-allow-origin')).toBe(ADMIN_ORIGIN);
    const evil = await preflight('https://evil.test');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses tampered and expired file links, and renews links for those who may read the file', async () => {
    const { conversationId, token } = await newConversation();
    const res = await upload(conversationId, { token, bytes: PDF, type: 'application/pdf', name: 'a.pdf' });
    const { id, url } = await asAttachment(res);
    const link = new URL(url, server.url);
    const sig = link.searchParams.get('sig') ?? '';

    const tampered = new URL(link);
    tampered.searchParams.set('sig', sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0'));
    const bad = await fetch(tampered);
    expect(bad.status).toBe(403);
    expect((await asError(bad)).error.message).toMatch(/not valid/);

    const longer = new URL(link);
    longer.searchParams.set('exp', String(Number(link.searchParams.get('exp')) + 3600));
    expect((await fetch(longer)).status).toBe(403);

    const past = Math.floor(Date.now() / 1000) - 5;
    const expired = new URL(`/v1/files/${id}`, server.url);
    expired.searchParams.set('exp', String(past));
    expired.searchParams.set('sig', signFileUrl(server.app.config.fileUrlSecret, id, past));
    const gone = await fetch(expired);
    expect(gone.status).toBe(410);
    expect((await asError(gone)).error.code).toBe('link_expired');

    const renewed = await fetch(`${server.url}/v1/attachments/${id}/url`, {
      headers: { authorization: `Bearer ${token}`, origin: ALLOWED_ORIGIN },
    });
    expect(renewed.status).toBe(200);
    const fresh = await asAttachment(renewed);
    expect(fresh.id).toBe(id);
    expect((await fetch(new URL(fresh.url, server.url))).status).toBe(200);

    const other = await newConversation();
    const stranger = await fetch(`${server.url}/v1/attachments/${id}/url`, {
      headers: { authorization: `Bearer ${other.token}`, origin: ALLOWED_ORIGIN },
    });
    expect(stranger.status).toBe(404);
    const contoso = await fetch(`${server.url}/v1/attachments/${id}/url`, {
      headers: { authorization: `Bearer ${contosoAgentToken}` },
    });
    expect(contoso.status).toBe(404);
    const northwind = await fetch(`${server.url}/v1/attachments/${id}/url`, {
      headers: { authorization: `Bearer ${northwindAgentToken}` },
    });
    expect(northwind.status).toBe(200);
  });

  it('lets realtime check and bind uploaded attachments to a message exactly once', async () => {
    const { conversationId, visitorId, token } = await newConversation();
    const other = await newConversation();
    const ids: string[] = [];
    for (const name of ['a.png', 'b.png']) {
      ids.push(
        (
          await asAttachment(
            await upload(conversationId, { token, bytes: makePng(), type: 'image/png', name }),
          )
        ).id,
      );
    }
    const foreign = (
      await asAttachment(
        await upload(other.conversationId, { token: other.token, bytes: makePng(), type: 'image/png' }),
      )
    ).id;
    const sql = server.app.sql;

    const rows = await getAttachmentsForMessage(sql, {
      conversationId,
      ids: [ids[1] as string, ids[0] as string],
    });
    expect(rows?.map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect(rows?.[0]).toMatchObject({
      conversationId,
      uploaderKind: 'visitor',
      uploaderId: visitorId,
      messageId: null,
    });
    expect(await getAttachmentsForMessage(sql, { conversationId, ids: [...ids, foreign] })).toBeNull();
    expect(await getAttachmentsForMessage(sql, { conversationId, ids: [randomUUID()] })).toBeNull();
    expect(await getAttachmentsForMessage(sql, { conversationId, ids: ['not-a-uuid'] })).toBeNull();
    expect(
      await getAttachmentsForMessage(sql, {
        conversationId,
        ids,
        uploader: { kind: 'agent', id: visitorId },
      }),
    ).toBeNull();

    const [message] = await su<{ id: string }[]>`
      insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body)
      values (${NORTHWIND}, ${conversationId}, ${randomUUID()}, 'visitor', ${visitorId}, 'see attached')
      returning id`;
    const messageId = message?.id as string;
    await sql.begin(async (tx) => {
      expect(await getAttachmentsForMessage(tx, { conversationId, ids })).toHaveLength(2);
      await bindAttachments(tx, messageId, ids);
    });
    const bound = await su`select message_id from public.attachments where id = any(${ids}::uuid[])`;
    expect(bound.map((r) => r.message_id)).toEqual([messageId, messageId]);
    // Already sent: neither usable nor bindable again; nor may a file join a message of another conversation.
    expect(await getAttachmentsForMessage(sql, { conversationId, ids })).toBeNull();
    await expect(sql.begin((tx) => bindAttachments(tx, messageId, ids))).rejects.toThrow(
      /Could only bind 0 of 2/,
    );
    await expect(sql.begin((tx) => bindAttachments(tx, messageId, [foreign]))).rejects.toThrow(
      /Could only bind/,
    );
  });
});

describe('attachments with STORAGE=supabase', () => {
  let server: ChatServer;
  let fake: FakeSupabaseStorage;
  let su: postgres.Sql;
  beforeAll(async () => {
    fake = await startFakeSupabaseStorage();
    server = await startChatServer({
      STORAGE: 'supabase',
      STORAGE_BUCKET: fake.bucket,
      SUPABASE_URL: fake.url,
      SUPABASE_SERVICE_ROLE_KEY: fake.serviceKey,
    });
    su = superuserSql();
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await su?.end();
  });

  it('stores the upload in the bucket and answers a Supabase signed URL without the service key', async () => {
    const conv = await createConversation(su, { name: 'Storage tester', status: 'queued' });
    const conversationId = conv.id;
    const { token } = server.app.visitorTokens.sign(visitorClaims(conv));
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'contract.pdf');
    const res = await fetch(`${server.url}/v1/conversations/${conversationId}/attachments`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${token}`, origin: ALLOWED_ORIGIN },
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(fake.serviceKey);
    const body = JSON.parse(text) as Attachment;
    expect(
      body.url.startsWith(
        `${fake.url}/storage/v1/object/sign/${fake.bucket}/${NORTHWIND}/${conversationId}/`,
      ),
    ).toBe(true);
    expect(fake.objects.get(`${fake.bucket}/${NORTHWIND}/${conversationId}/${body.id}`)?.contentType).toBe(
      'application/pdf',
    );
    const download = await fetch(body.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
  });
});
