/**
 * The frame `type`s of each direction as plain strings, free of zod, so code that only needs
 * to know the names (dispatch tables, `decodeServerFrame`) costs a few bytes.
 * The schema tables in client-frames.ts and server-frames.ts must cover exactly these.
 */

/** Every client → server frame type. */
export const CLIENT_FRAME_TYPES = [
  'conversation.start',
  'conversation.subscribe',
  'conversation.unsubscribe',
  'message.send',
  'typing',
  'draft',
  'read',
  'page_view',
  'presence.set',
  'viewing',
  'conversation.close',
  'conversation.rate',
  'ping',
  'auth.refresh',
  // Routing (issue 4)
  'offer.accept',
  'offer.decline',
  'queue.claim',
  'conversation.transfer',
  'conversation.invite',
  'conversation.leave',
  'offline.message',
  'conversation.transcript',
] as const;

/** A client frame's `type`. */
export type ClientFrameType = (typeof CLIENT_FRAME_TYPES)[number];

/** Every server → client frame type. */
export const SERVER_FRAME_TYPES = [
  'welcome',
  'ack',
  'message',
  'sync',
  'conversation',
  'typing',
  'draft',
  'read',
  'page_view',
  'presence',
  'viewers',
  'error',
  'ok',
  'pong',
  // Routing (issue 4)
  'offer',
  'offer.revoked',
  'queue',
] as const;

/** A server frame's `type`. */
export type ServerFrameType = (typeof SERVER_FRAME_TYPES)[number];
