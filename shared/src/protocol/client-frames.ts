/**
 * Frames a client (the widget or the admin app) sends to the chat server.
 * Each answer, if any, is named in the doc comment. A frame that carries `ref` is answered
 * exactly once with a frame carrying the same `ref`: its answer, `ok`, or `error`.
 */
import * as z from 'zod/mini';
import { Body, ClientMsgId, Id, PresenceStatus, Seq, text } from './fields.ts';
import { frame } from './frame.ts';
import type { ClientFrameType } from './frame-types.ts';
import {
  MAX_ATTACHMENTS_PER_MESSAGE,
  MAX_CHATS_LIMIT,
  MAX_EMAIL_LENGTH,
  MAX_FEEDBACK_LENGTH,
  MAX_LANGUAGE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_NOTE_LENGTH,
  MAX_PRECHAT_FIELDS,
  MAX_PRECHAT_KEY_LENGTH,
  MAX_PRECHAT_VALUE_LENGTH,
  MAX_SYNC_PAGE_SIZE,
  MAX_TITLE_LENGTH,
  MAX_TOKEN_LENGTH,
  MAX_TOPIC_LENGTH,
  MAX_URL_LENGTH,
} from './limits.ts';

const AttachmentIds = z.array(Id).check(z.maxLength(MAX_ATTACHMENTS_PER_MESSAGE));

/** A message with neither text nor attachments says nothing; reject it at the boundary. */
const notEmpty = z.refine<{ body: string; attachmentIds?: string[] | undefined }>(
  (m) => m.body.trim().length > 0 || (m.attachmentIds?.length ?? 0) > 0,
  { message: 'a message needs a non-blank body or at least one attachment', path: ['body'] },
);

/** A message as the client writes it: its own id, text, optional uploaded attachment ids. */
const FirstMessage = z
  .strictObject({ clientMsgId: ClientMsgId, body: Body, attachmentIds: z.optional(AttachmentIds) })
  .check(notEmpty);

/**
 * Visitor: start a conversation. Answer: `conversation` (with `ref`) holding the new id; if
 * `firstMessage` is given, an `ack` for it follows. The topic picks the group.
 */
export const ConversationStartFrame = frame('conversation.start', {
  /** One of the site's pre-chat topics; empty or absent for the site's default group. */
  topic: z.optional(text(MAX_TOPIC_LENGTH)),
  /** Pre-chat form answers, by field key. */
  fields: z.optional(
    z
      .record(
        z.string().check(z.minLength(1), z.maxLength(MAX_PRECHAT_KEY_LENGTH)),
        text(MAX_PRECHAT_VALUE_LENGTH),
      )
      .check(
        z.refine((r) => Object.keys(r).length <= MAX_PRECHAT_FIELDS, {
          message: `at most ${MAX_PRECHAT_FIELDS} pre-chat fields`,
        }),
      ),
  ),
  name: z.optional(text(MAX_NAME_LENGTH)),
  email: z.optional(text(MAX_EMAIL_LENGTH)),
  firstMessage: z.optional(FirstMessage),
  /** The page the chat starts from: routing rules on URL match it (else the last `page_view`). */
  url: z.optional(text(MAX_URL_LENGTH)),
  /** The visitor's language (BCP 47, e.g. `de` or `pt-BR`), matched against agents' languages. */
  language: z.optional(text(MAX_LANGUAGE_LENGTH)),
});

/**
 * Receive a conversation's events, catching up first: the server answers `sync` (with `ref`)
 * holding the conversation and the messages after `afterSeq`, then streams live frames.
 * If `hasMore`, send it again with the last seq received. Sending it again after a reconnect
 * is how a client resumes without a gap or a duplicate.
 */
export const ConversationSubscribeFrame = frame('conversation.subscribe', {
  conversationId: Id,
  /** The last seq the client has; 0 to get the history from the start. */
  afterSeq: Seq,
  /** Messages per page; defaults to `SYNC_PAGE_SIZE`. */
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_SYNC_PAGE_SIZE))),
});

/** Stop receiving a conversation's live events. Answer: `ok` if `ref` is set. */
export const ConversationUnsubscribeFrame = frame('conversation.unsubscribe', { conversationId: Id });

/**
 * Send a message. Answer: `ack` (with `ref`). Resending the same `clientMsgId` is safe: it
 * yields the same ack with `duplicate: true` and no second message.
 */
export const MessageSendFrame = frame('message.send', {
  conversationId: Id,
  clientMsgId: ClientMsgId,
  body: Body,
  /** Ids from the upload endpoint, for files uploaded into this conversation. */
  attachmentIds: z.optional(AttachmentIds),
  /** An internal note: agents only, never delivered to the visitor or a client_viewer. */
  note: z.optional(z.boolean()),
}).check(notEmpty);

/** The sender started (`on: true`) or stopped typing. Refresh every `TYPING_REFRESH_MS` while typing. No answer. */
export const TypingFrame = frame('typing', { conversationId: Id, on: z.boolean() });

/**
 * Visitor: the text in the composer now, for the agent's live preview; empty when cleared.
 * Throttle to one per `DRAFT_THROTTLE_MS`. No answer; agents get `draft`.
 */
export const DraftFrame = frame('draft', { conversationId: Id, text: Body });

/** The reader has seen every message up to `seq`. Persisted; others get `read`. No answer. */
export const ReadFrame = frame('read', { conversationId: Id, seq: Seq });

/**
 * Visitor: the page they are on now. Agents of the visitor's open conversations get
 * `page_view`. `conversationId` is optional because a visitor browses before chatting.
 */
export const PageViewFrame = frame('page_view', {
  url: text(MAX_URL_LENGTH),
  title: text(MAX_TITLE_LENGTH),
  conversationId: z.optional(Id),
});

/**
 * Agent: set availability (away and offline stop new offers) and optionally the agent's own
 * chat limit, which the server caps at the manager's limit. Colleagues get `presence`.
 */
export const PresenceSetFrame = frame('presence.set', {
  status: PresenceStatus,
  maxChats: z.optional(z.int().check(z.minimum(0), z.maximum(MAX_CHATS_LIMIT))),
});

/** Agent: started (`on: true`) or stopped looking at a conversation. Agents get `viewers`. */
export const ViewingFrame = frame('viewing', { conversationId: Id, on: z.boolean() });

/** Close a conversation (visitor or agent). Everyone gets `conversation` with status `closed`. */
export const ConversationCloseFrame = frame('conversation.close', { conversationId: Id });

/** Visitor: rate a conversation 1–5 with an optional comment. Answer: `ok` if `ref` is set. */
export const ConversationRateFrame = frame('conversation.rate', {
  conversationId: Id,
  rating: z.int().check(z.minimum(1), z.maximum(5)),
  comment: z.optional(text(MAX_FEEDBACK_LENGTH)),
});

/**
 * App-level heartbeat: browsers cannot see WebSocket pings, so a client that wants to detect
 * a dead link sends this every `heartbeatIntervalMs` (from `welcome`). Answer: `pong`.
 */
export const PingFrame = frame('ping', {});

/**
 * Agent: move this connection to a fresh access token (supabase-js refreshed the session), so it
 * is not closed with 4001 when the token it opened with expires. The server verifies it like the
 * connection token (signature, audience, expiry later than now) and requires the same user, still
 * an active member of the connection's organization; then the connection expires at the new
 * token's `exp`. A refused token changes nothing: `error invalid_token` (expired, garbage) or
 * `error forbidden` (another user, or no longer a member). Answer: `ok` if `ref` is set.
 */
export const AuthRefreshFrame = frame('auth.refresh', {
  token: z.string().check(z.minLength(1), z.maxLength(MAX_TOKEN_LENGTH)),
});

// ---------------------------------------------------------------------------------------------
// Routing (issue 4): offers, queues, transfer and consult.
// ---------------------------------------------------------------------------------------------

/** Routing: accept an `offer`. Answer: `conversation` (now assigned) or `error` conflict if it expired or was taken. */
export const OfferAcceptFrame = frame('offer.accept', { offerId: Id, conversationId: Id });

/** Routing: decline an `offer`; the scheduler tries the next agent. Answer: `ok` if `ref` is set. */
export const OfferDeclineFrame = frame('offer.decline', {
  offerId: Id,
  conversationId: Id,
  reason: z.optional(text(MAX_NOTE_LENGTH)),
});

/** Routing: claim a queued conversation (manual-pick groups). Answer: `conversation`, or `error` conflict if taken. */
export const QueueClaimFrame = frame('queue.claim', { conversationId: Id });

/** Routing: where a transfer goes. */
const TransferTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('agent'), userId: Id }),
  z.strictObject({ kind: z.literal('group'), groupId: Id }),
]);

/**
 * Routing: hand the conversation to an agent or a group. The note is stored as an internal
 * note the next agent sees. Everyone gets `conversation`; a system message records it.
 */
export const ConversationTransferFrame = frame('conversation.transfer', {
  conversationId: Id,
  to: TransferTarget,
  note: z.optional(text(MAX_NOTE_LENGTH)),
});

/** Routing: invite a colleague or supervisor as a second agent (consult). They get an `offer`. */
export const ConversationInviteFrame = frame('conversation.invite', {
  conversationId: Id,
  userId: Id,
  note: z.optional(text(MAX_NOTE_LENGTH)),
});

/** Routing: an agent leaves the conversation (a consultant going back, or the assignee before a transfer). */
export const ConversationLeaveFrame = frame('conversation.leave', { conversationId: Id });

// ---------------------------------------------------------------------------------------------
// Offline messages and transcripts (issue 4)
// ---------------------------------------------------------------------------------------------

/** An e-mail address: something@something, within the column's length. */
const Email = z
  .string()
  .check(z.maxLength(MAX_EMAIL_LENGTH), z.regex(/^[^\s@]+@[^\s@]+$/, 'expected an e-mail address'));

/**
 * Visitor: leave a message when nobody is available (the widget config says `available: false`,
 * or a queued chat shows `estimatedWaitSeconds: null`). It is stored as a conversation with status
 * `offline` in its group's follow-up queue; an agent's reply goes to `email`. With
 * `conversationId` (the visitor's own queued chat) that chat becomes the offline message instead.
 * Answer: `conversation` (with `ref`, status `offline`), then an `ack` for the message.
 */
export const OfflineMessageFrame = frame('offline.message', {
  name: text(MAX_NAME_LENGTH),
  email: Email,
  message: FirstMessage,
  topic: z.optional(text(MAX_TOPIC_LENGTH)),
  fields: z.optional(
    z.record(
      z.string().check(z.minLength(1), z.maxLength(MAX_PRECHAT_KEY_LENGTH)),
      text(MAX_PRECHAT_VALUE_LENGTH),
    ),
  ),
  url: z.optional(text(MAX_URL_LENGTH)),
  language: z.optional(text(MAX_LANGUAGE_LENGTH)),
  conversationId: z.optional(Id),
});

/**
 * E-mail the conversation's transcript (messages, never internal notes) to the visitor: to
 * `email` when a visitor gives one, else to the visitor's stored address. Agents may send it
 * to the visitor's stored address only. At most 3 per conversation. Answer: `ok` if `ref` is set.
 */
export const ConversationTranscriptFrame = frame('conversation.transcript', {
  conversationId: Id,
  email: z.optional(Email),
});

/** Every client frame schema, by `type`. `parseClientFrame` looks frames up here. */
export const CLIENT_FRAME_SCHEMAS = {
  'conversation.start': ConversationStartFrame,
  'conversation.subscribe': ConversationSubscribeFrame,
  'conversation.unsubscribe': ConversationUnsubscribeFrame,
  'message.send': MessageSendFrame,
  typing: TypingFrame,
  draft: DraftFrame,
  read: ReadFrame,
  page_view: PageViewFrame,
  'presence.set': PresenceSetFrame,
  viewing: ViewingFrame,
  'conversation.close': ConversationCloseFrame,
  'conversation.rate': ConversationRateFrame,
  ping: PingFrame,
  'auth.refresh': AuthRefreshFrame,
  'offer.accept': OfferAcceptFrame,
  'offer.decline': OfferDeclineFrame,
  'queue.claim': QueueClaimFrame,
  'conversation.transfer': ConversationTransferFrame,
  'conversation.invite': ConversationInviteFrame,
  'conversation.leave': ConversationLeaveFrame,
  'offline.message': OfflineMessageFrame,
  'conversation.transcript': ConversationTranscriptFrame,
} as const satisfies Record<ClientFrameType, z.ZodMiniType>;

/** Any frame a client sends, keyed on `type`. */
export const ClientFrame = z.discriminatedUnion(
  'type',
  Object.values(CLIENT_FRAME_SCHEMAS) as unknown as [
    (typeof CLIENT_FRAME_SCHEMAS)[keyof typeof CLIENT_FRAME_SCHEMAS],
    ...(typeof CLIENT_FRAME_SCHEMAS)[keyof typeof CLIENT_FRAME_SCHEMAS][],
  ],
);
/** Any frame a client sends. Narrow on `type`. */
export type ClientFrame = z.infer<typeof ClientFrame>;

/** The client frame of one type, e.g. `ClientFrameOf<'message.send'>`. */
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;

/** The kinds of connection that may send each client frame; others get `unauthorized`. */
export const CLIENT_FRAME_SENDERS: Readonly<Record<ClientFrameType, readonly ('visitor' | 'agent')[]>> = {
  'conversation.start': ['visitor'],
  'conversation.subscribe': ['visitor', 'agent'],
  'conversation.unsubscribe': ['visitor', 'agent'],
  'message.send': ['visitor', 'agent'],
  typing: ['visitor', 'agent'],
  draft: ['visitor'],
  read: ['visitor', 'agent'],
  page_view: ['visitor'],
  'presence.set': ['agent'],
  viewing: ['agent'],
  'conversation.close': ['visitor', 'agent'],
  'conversation.rate': ['visitor'],
  ping: ['visitor', 'agent'],
  'auth.refresh': ['agent'],
  'offer.accept': ['agent'],
  'offer.decline': ['agent'],
  'queue.claim': ['agent'],
  'conversation.transfer': ['agent'],
  'conversation.invite': ['agent'],
  'conversation.leave': ['agent'],
  'offline.message': ['visitor'],
  'conversation.transcript': ['visitor', 'agent'],
};
