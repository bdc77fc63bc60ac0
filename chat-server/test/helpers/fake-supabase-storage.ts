/**
 * A stand-in for the Supabase Storage REST API, for tests only (Storage cannot run on this machine).
 * It implements the documented contract storage-js relies on, and nothing more:
 *   POST   /storage/v1/object/{bucket}/{path}        store the raw body (content-type kept; x-upsert)
 *   GET    /storage/v1/object/{bucket}/{path}        read it back (service key required)
 *   DELETE /storage/v1/object/{bucket}                {"prefixes": [...]} → the deleted objects
 *   POST   /storage/v1/object/sign/{bucket}/{path}   {"expiresIn"} → {"signedURL": "/object/sign/…?token=…"}
 *   GET    /storage/v1/object/sign/{bucket}/{path}?token=…[&download=name]   public, until it expires
 * Errors are JSON { statusCode, error, message } as Storage sends them. Every request is recorded so
 * tests can check what the chat server sent (e.g. that the service key never appears in a URL).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeObject {
  bytes: Buffer;
  contentType: string;
  cacheControl: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface FakeSupabaseStorage {
  url: string;
  serviceKey: string;
  bucket: string;
  objects: Map<string, FakeObject>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeSupabaseStorage(bucket = 'chat-attachments'): Promise<FakeSupabaseStorage> {
  const serviceKey = `fake-service-role-key-${randomUUID()}`;
  const signingSecret = randomUUID();
  const objects = new Map<string, FakeObject>();
  const requests: RecordedRequest[] = [];
  const sign = (path: string, exp: number) =>
    createHmac('sha256', signingSecret).update(`${path}:${exp}`).digest('base64url');

  const fail = (res: ServerResponse, status: number, error: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: String(status), error, message }));
  };
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer | null>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      // A client that aborts mid-body gets nothing stored, as with the real service.
      req.on('error', () => resolve(null));
      req.on('close', () => {
        if (!req.complete) resolve(null);
      });
    });

  const server = createServer(async (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname);
    const authorized =
      req.headers.authorization === `Bearer ${serviceKey}` && req.headers.apikey === serviceKey;

    const signed = /^\/storage\/v1\/object\/sign\/([^/]+)\/(.+)$/.exec(path);
    if (signed && req.method === 'GET') {
      const key = `${signed[1]}/${signed[2]}`;
      const [exp, mac] = (url.searchParams.get('token') ?? '').split('.');
      if (!exp || !mac || mac !== sign(key, Number(exp)))
        return fail(res, 400, 'InvalidJWT', 'invalid signature');
      if (Number(exp) < Date.now() / 1000)
        return fail(res, 400, 'InvalidJWT', '"exp" claim timestamp check failed');
      const object = objects.get(key);
      if (!object) return fail(res, 404, 'not_found', 'Object not found');
      const download = url.searchParams.get('download');
      res.writeHead(200, {
        'content-type': object.contentType,
        'content-length': object.bytes.length,
        ...(download !== null ? { 'content-disposition': `attachment; filename="${download}"` } : {}),
      });
      return res.end(object.bytes);
    }
    if (!authorized) return fail(res, 400, 'Unauthorized', 'Invalid Compact JWS');

    if (signed && req.method === 'POST') {
      const key = `${signed[1]}/${signed[2]}`;
      const body = JSON.parse((await readBody(req))?.toString() || '{}') as { expiresIn?: unknown };
      if (typeof body.expiresIn !== 'number' || body.expiresIn < 1) {
        return fail(res, 400, 'InvalidRequest', 'body/expiresIn must be >= 1');
      }
      if (!objects.has(key)) return fail(res, 404, 'not_found', 'Object not found');
      const exp = Math.floor(Date.now() / 1000) + body.expiresIn;
      return json(res, { signedURL: `/object/sign/${key}?token=${exp}.${sign(key, exp)}` });
    }
    const object = /^\/storage\/v1\/object\/([^/]+)\/(.+)$/.exec(path);
    if (object && object[1] === bucket) {
      const key = `${object[1]}/${object[2]}`;
      if (req.method === 'POST') {
        const body = await readBody(req);
        if (body === null) return; // the client went away: store nothing
        if (objects.has(key) && req.headers['x-upsert'] !== 'true') {
          return fail(res, 409, 'Duplicate', 'The resource already exists');
        }
        objects.set(key, {
          bytes: body,
          contentType: String(req.headers['content-type'] ?? 'application/octet-stream'),
          cacheControl: String(req.headers['cache-control'] ?? ''),
        });
        return json(res, { Id: randomUUID(), Key: key });
      }
      if (req.method === 'GET') {
        const found = objects.get(key);
        if (!found) return fail(res, 404, 'not_found', 'Object not found');
        res.writeHead(200, { 'content-type': found.contentType, 'content-length': found.bytes.length });
        return res.end(found.bytes);
      }
    }
    const bucketOnly = /^\/storage\/v1\/object\/([^/]+)$/.exec(path);
    if (bucketOnly && bucketOnly[1] === bucket && req.method === 'DELETE') {
      const body = JSON.parse((await readBody(req))?.toString() || '{}') as { prefixes?: unknown };
      if (!Array.isArray(body.prefixes)) return fail(res, 400, 'InvalidRequest', 'body must have prefixes');
      const deleted = body.prefixes.filter((p) => objects.delete(`${bucket}/${String(p)}`));
      return json(
        res,
        deleted.map((name) => ({ name, bucket_id: bucket })),
      );
    }
    if (object || bucketOnly) return fail(res, 404, 'not_found', 'Bucket not found');
    fail(res, 404, 'not_found', 'Route not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serviceKey,
    bucket,
    objects,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
