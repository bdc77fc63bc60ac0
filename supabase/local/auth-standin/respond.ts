/**
 * Responses: JSON bodies, and errors the way Supabase Auth (GoTrue) answers them.
 *
 * GoTrue has two error bodies and picks one per request:
 * - initial API version: `{ "code": <http status>, "error_code": "<code>", "msg": "<message>" }`;
 * - when the request carries `X-Supabase-Api-Version: 2024-01-01` or later (supabase-js v2 always sends
 *   it): `{ "code": "<code>", "message": "<message>" }`, and the response echoes the version header so
 *   the client knows which shape it got.
 * OAuth-style errors of the token endpoint are `{ "error", "error_description" }` in both versions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthApiError, OAuthError } from './errors.ts';

/** The request header (and echoed response header) that selects GoTrue's error format. */
export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024 = '2024-01-01';

/** True when the request asked for the 2024-01-01 error format (an unparsable date means "initial"). */
function wantsVersion2024(req: IncomingMessage): boolean {
  const raw = req.headers[API_VERSION_HEADER.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(date) && date >= Date.parse(`${API_VERSION_2024}T00:00:00Z`);
}

/**
 * Writes `error` as GoTrue would. Anything that is not an AuthApiError/OAuthError is an unexpected
 * failure: the caller logs it; the client gets GoTrue's generic 500 without internals.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const v2024 = wantsVersion2024(req);
  if (v2024) res.setHeader(API_VERSION_HEADER, API_VERSION_2024);

  if (error instanceof OAuthError) {
    writeJson(res, 400, { error: error.error, error_description: error.description });
    return;
  }
  const known =
    error instanceof AuthApiError
      ? error
      : new AuthApiError(
          500,
          'unexpected_failure',
          'Unexpected failure, please check server logs for more information',
        );
  res.setHeader('x-sb-error-code', known.code);
  const body = v2024
    ? { code: known.code, message: known.message, ...known.extra }
    : { code: known.status, error_code: known.code, msg: known.message, ...known.extra };
  writeJson(res, known.status, body);
}

/** Sends `body` as JSON with `status`. */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
