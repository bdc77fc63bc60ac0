/**
 * Frames the chat server sends to clients. `ref` is set only on the one answer to a client
 * frame that carried a `ref`. Frames marked "agents only" never reach a visitor connection.
 */
import * as z from 'zod/mini';
import { ERROR_CODES } from './codes.ts';
import { Actor, Conversation, Identity, Message, QueueEntry } from './entities.ts';
import { Body, ClientMsgId, Id, IsoTime, PresenceStatus, Seq, text } from './fields.ts';
import { frame } from './frame.ts';
import type { ServerFrameType } from './frame-types.ts';
import { MAX_TITLE_LENGTH, MAX_URL_LENGTH } from './limits.ts';

/** First frame on every connection: who the server recognized, and how to keep the link alive. */
export const WelcomeFrame = frame('welcome', {
  protocolVersion: z.int(),
  /** This connection's id, for support logs. */
  connectionId: z.string(),
  identity: Identity,
  /** Send `ping` at this interval; the link is dead after two missed `pong`s. */
  heartbeatIntervalMs: z.int().check(z.minimum(1)),
  /** The server's clock, to correct local timestamps. */
  serverTime: IsoTime,
});

/**
 * A message was stored (or already had been): the answer to `message.send` and to a
 * `conversation.start` with a first message. Every ack has this shape.
 */
export const AckFrame = frame('ack', {
  conversationId: Id,
  clientMsgId: ClientMsgId,
  messageId: Id,
  seq: Seq,
  createdAt: IsoTime,
  /** True when this `clientMsgId` had been stored before: the resend created nothing. */
  duplicate: z.boolean(),
});

/** A new message in a subscribed conversation, published after it was stored and acked. */
export const MessageFrame = frame('message', { message: Message });

/**
 * The answer to `conversation.subscribe`: the conversation's state and up to `limit` messages
 * after `afterSeq`, in seq order. If `hasMore`, subscribe again from the last seq received.
 */
export const SyncFrame = frame('sync', {
  conversationId: Id,
  conversation: Conversation,
  messages: z.array(Message),
  /** The conversation's highest seq when the page was read. */
  lastSeq: Seq,
  hasMore: z.boolean(),
});

/**
 * A conversation's state changed: started, queued (position, estimated wait), assigned,
 * transferred, closed, rated. Also the answer to `conversation.start`, `offer.accept`,
 * `queue.claim` and `conversation.close`.
 */
export const ConversationFrame = frame('conversation', { conversation: Conversation });

/** Someone in the conversation started or stopped typing. */
export const TypingEventFrame = frame('typing', { conversationId: Id, from: Actor, on: z.boolean() });

/** Agents only: the visitor's live draft (empty when cleared or sent). */
export const DraftEventFrame = frame('draft', { conversationId: Id, visitorId: Id, text: Body });

/** Someone has read the conversation up to `seq`. */
export const ReadEventFrame = frame('read', { conversationId: Id, reader: Actor, seq: Seq });

/** Agents only: the visitor of a conversation opened a page. */
export const PageViewEventFrame = frame('page_view', {
  conversationId: Id,
  visitorId: Id,
  url: text(MAX_URL_LENGTH),
  title: text(MAX_TITLE_LENGTH),
  at: IsoTime,
});

/** Agents only: a colleague's availability changed (or their heartbeat lapsed: `offline`). */
export const PresenceEventFrame = frame('presence', {
  userId: Id,
  status: PresenceStatus,
  at: IsoTime,
});

/** Agents only: the agents looking at a conversation now (the whole list, not a change). */
export const ViewersFrame = frame('viewers', {
  conversationId: Id,
  viewers: z.array(z.strictObject({ userId: Id, name: z.string() })),
});

/** A client frame failed; the connection stays open. `ref` is the failed frame's, when it had one. */
export const ErrorFrame = frame('error', {
  code: z.enum(ERROR_CODES),
  /** A readable explanation, e.g. `field "body": expected string, received number`. */
  message: z.string(),
  conversationId: z.optional(Id),
});

/** The answer to a `ref`-carrying frame that has no other answer (e.g. `conversation.rate`). */
export const OkFrame = frame('ok', {});

/** The answer to `ping`. */
export const PongFrame = frame('pong', { serverTime: IsoTime });

// ---------------------------------------------------------------------------------------------
// Routing (issue 4)
// ---------------------------------------------------------------------------------------------

/**
 * Routing, agents only: a conversation is offered to this agent (automatic assignment, or an
 * invitation to consult). Accept with `offer.accept` before `expiresAt`, or it goes to the next agent.
 */
export const OfferFrame = frame('offer', {
  offerId: Id,
  kind: z.enum(['assignment', 'consult']),
  expiresAt: IsoTime,
  entry: QueueEntry,
  /** For a consult or a transfer: the note from the inviting agent. */
  note: z.optional(z.string()),
  /** For a consult or a transfer: who is asking. */
  from: z.optional(z.strictObject({ userId: Id, name: z.string() })),
});

/** Routing, agents only: an offer is no longer open (timed out, taken, or the visitor left). */
export const OfferRevokedFrame = frame('offer.revoked', {
  offerId: Id,
  conversationId: Id,
  reason: z.enum(['timeout', 'taken', 'cancelled']),
});

/** Routing, agents only: a group's whole queue, sent when it changes (for manual pick). */
export const QueueFrame = frame('queue', { groupId: z.nullable(Id), entries: z.array(QueueEntry) });

/** Every server frame schema, by `type`. `parseServerFrame` looks frames up here. */
export const SERVER_FRAME_SCHEMAS = {
  welcome: WelcomeFrame,
  ack: AckFrame,
  message: MessageFrame,
  sync: SyncFrame,
  conversation: ConversationFrame,
  typing: TypingEventFrame,
  draft: DraftEventFrame,
  read: ReadEventFrame,
  page_view: PageViewEventFrame,
  presence: PresenceEventFrame,
  viewers: ViewersFrame,
  error: ErrorFrame,
  ok: OkFrame,
  pong: PongFrame,
  offer: OfferFrame,
  'offer.revoked': OfferRevokedFrame,
  queue: QueueFrame,
} as const satisfies Record<ServerFrameType, z.ZodMiniType>;

/** Any frame the server sends, keyed on `type`. */
export const ServerFrame = z.discriminatedUnion(
  'type',
  Object.values(SERVER_FRAME_SCHEMAS) as unknown as [
    (typeof SERVER_FRAME_SCHEMAS)[keyof typeof SERVER_FRAME_SCHEMAS],
    ...(typeof SERVER_FRAME_SCHEMAS)[keyof typeof SERVER_FRAME_SCHEMAS][],
  ],
);
/** Any frame the server sends. Narrow on `type`. */
export type ServerFrame = z.infer<typeof ServerFrame>;

/** The server frame of one type, e.g. `ServerFrameOf<'ack'>`. */
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
