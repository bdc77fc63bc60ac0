/**
 * Reads a small JSON request body with a hard size limit. The limit is enforced while reading (not
 * after buffering everything), so a client cannot make the server hold a huge body in memory.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './respond.ts';

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '')
    throw new HttpError(400, 'bad_request', 'The request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'The request body is not valid JSON');
  }
}

function tooLarge(maxBytes: number): HttpError {
  // `connection: close`: the rest of the body is not read, so the connection cannot be reused.
  return new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes`, {
    connection: 'close',
  });
}
