/** Request-body reading and validation shared by the routes. */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { AuthApiError, badRequest } from './errors.ts';

/** GoTrue refuses bodies over 1 MiB. */
const MAX_BODY_BYTES = 1 << 20;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new AuthApiError(
        413,
        'request_entity_too_large',
        `Request body too large (max ${MAX_BODY_BYTES} bytes)`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads the JSON body and validates its shape with `schema`. Malformed JSON or wrongly typed fields are
 * GoTrue's 400 `bad_json`; unknown fields are ignored, as Go's JSON decoder ignores them. With
 * `allowEmpty`, an empty body counts as `{}` (GoTrue does this only where the body is optional).
 */
export async function readJson<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
  { allowEmpty = false } = {},
): Promise<z.infer<S>> {
  const text = await readBody(req);
  let value: unknown;
  if (text.trim() === '' && allowEmpty) {
    value = {};
  } else {
    try {
      value = JSON.parse(text);
    } catch (error) {
      // Worded like Go's decoder ("unexpected end of JSON input"), which starts lower-case.
      const message = (error as Error).message;
      const reason = message.charAt(0).toLowerCase() + message.slice(1);
      throw badRequest('bad_json', `Could not parse request body as JSON: ${reason}`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    throw badRequest('bad_json', `Could not parse request body as JSON: ${issues.join('; ')}`);
  }
  return parsed.data;
}
