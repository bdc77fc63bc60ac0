/** The one way HTTP routes answer: JSON bodies, and errors as `{ error: { code, message } }`. */
import type { ServerResponse } from 'node:http';

export type HttpErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'token_expired'
  | 'forbidden_origin'
  | 'client_archived'
  | 'forbidden'
  | 'not_found'
  | 'conversation_closed'
  | 'link_expired'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** Thrown by route handlers; the router turns it into the JSON error answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError, headers: Record<string, string> = {}): void {
  sendJson(
    res,
    error.status,
    { error: { code: error.code, message: error.message } },
    { ...headers, ...error.headers },
  );
}
