/**
 * Error codes carried by `error` frames. The connection stays open after any of them;
 * what the client should do is in each comment. A closed set: clients may switch on it.
 */
export const ErrorCode = {
  /** The frame was not valid JSON. */
  BAD_JSON: 'bad_json',
  /** The frame was JSON but had no string `type`, or a type this protocol does not define. */
  UNKNOWN_TYPE: 'unknown_type',
  /** The type is known but a field is missing, of the wrong type, out of range, or not defined for it. */
  INVALID_FRAME: 'invalid_frame',
  /** The frame is larger than `MAX_FRAME_BYTES`; it was not read. */
  FRAME_TOO_LARGE: 'frame_too_large',
  /** Too many frames from this connection or IP; the frame was dropped. Slow down and retry later. */
  RATE_LIMITED: 'rate_limited',
  /**
   * This kind of connection may never send this frame type (a visitor sending `presence.set`,
   * an agent sending `conversation.start`).
   */
  UNAUTHORIZED: 'unauthorized',
  /**
   * The frame type is fine for this kind of connection but this user may not do it here:
   * a client_viewer sending, a visitor writing a note, rating another visitor's chat, starting a
   * chat on a site whose client is archived.
   */
  FORBIDDEN: 'forbidden',
  /**
   * The conversation, offer, user, group or attachment does not exist, or this user may
   * not see it. Both cases give the same answer so ids cannot be probed.
   */
  NOT_FOUND: 'not_found',
  /**
   * The request is valid but the current state does not allow it: the conversation is
   * closed, the offer expired or was taken, the conversation was claimed by someone else,
   * or a `clientMsgId` was reused with a different body.
   */
  CONFLICT: 'conflict',
  /**
   * The token in `auth.refresh` was refused: expired, malformed, badly signed or for another
   * audience. Nothing changed; the connection still closes with 4001 when its current token
   * expires. Get a fresh session and send it again (or reconnect after the 4001).
   */
  INVALID_TOKEN: 'invalid_token',
  /** Something failed on the server. The frame may be retried; message sends are idempotent. */
  INTERNAL: 'internal',
} as const;

/** One of the `ErrorCode` values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every error code, for validation and exhaustive tests. */
export const ERROR_CODES = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

/**
 * WebSocket close codes the server uses (the 4000–4999 range is for applications).
 * Standard codes may also appear: 1000 normal, 1001 going away, 1006 abnormal
 * (no close frame: network loss or a refused handshake), 1009 message too big
 * (over `MAX_TRANSPORT_PAYLOAD_BYTES`), 1011 server error.
 */
export const CloseCode = {
  /** The connection URL was malformed (missing `v`, an `org` that is not a UUID). Do not retry unchanged. */
  BAD_HANDSHAKE: 4000,
  /** The access token has expired (at connect or while connected). Refresh it, then reconnect and resume. */
  TOKEN_EXPIRED: 4001,
  /**
   * The token is missing, invalid or revoked, or the account lost access to the organization (or
   * is not an active member of the one the `org` handshake parameter names).
   * Do not retry with the same token: a visitor starts a new session, an agent signs in again.
   */
  UNAUTHORIZED: 4003,
  /** The page's Origin is not one of the site's allowed domains. Do not retry. */
  FORBIDDEN_ORIGIN: 4004,
  /**
   * The agent's rights in the organization changed while connected (role, client, groups, or
   * removed). Reconnect at once: the new connection has the current rights, or is refused (4003).
   */
  ACCESS_CHANGED: 4005,
  /** The client speaks another `PROTOCOL_VERSION`. Reload the widget or app; do not retry unchanged. */
  PROTOCOL_VERSION_MISMATCH: 4010,
  /** The instance is shutting down or restarting. Reconnect at once (with a little jitter) and resume. */
  SERVICE_RESTART: 4012,
  /** The client read too slowly and its send buffer filled up. Reconnect and resume from the last seq. */
  SLOW_CONSUMER: 4013,
  /** A newer connection of the same session took over this one. Do not reconnect automatically. */
  REPLACED: 4014,
  /** The client kept sending after `rate_limited` errors. Back off (at least 10 s), then reconnect. */
  RATE_LIMITED: 4029,
  /** The server failed in a way that this connection cannot recover from. Reconnect with backoff. */
  INTERNAL_ERROR: 4500,
} as const;

/** One of the `CloseCode` values. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * What a client should do after each close code:
 * - `now`: reconnect at once (jittered) and resume from the last seq;
 * - `refresh_token`: get a fresh token first, then reconnect;
 * - `backoff`: reconnect with exponential backoff;
 * - `never`: stop and show the user why.
 */
export type ReconnectPolicy = 'now' | 'refresh_token' | 'backoff' | 'never';

/** The reconnect policy for each close code; codes not listed here (1006, 1011…) mean `backoff`. */
export const CLOSE_RECONNECT: Readonly<Record<CloseCode, ReconnectPolicy>> = {
  [CloseCode.BAD_HANDSHAKE]: 'never',
  [CloseCode.TOKEN_EXPIRED]: 'refresh_token',
  [CloseCode.UNAUTHORIZED]: 'never',
  [CloseCode.FORBIDDEN_ORIGIN]: 'never',
  [CloseCode.ACCESS_CHANGED]: 'now',
  [CloseCode.PROTOCOL_VERSION_MISMATCH]: 'never',
  [CloseCode.SERVICE_RESTART]: 'now',
  [CloseCode.SLOW_CONSUMER]: 'now',
  [CloseCode.REPLACED]: 'never',
  [CloseCode.RATE_LIMITED]: 'backoff',
  [CloseCode.INTERNAL_ERROR]: 'backoff',
};

/** The reconnect policy for any close code, including standard ones. */
export function reconnectPolicy(code: number): ReconnectPolicy {
  if (code === 1000) return 'never';
  return (CLOSE_RECONNECT as Readonly<Record<number, ReconnectPolicy>>)[code] ?? 'backoff';
}
