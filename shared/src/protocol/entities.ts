/**
 * Objects that server frames carry: messages, conversations, identities, queue entries.
 * Field names are the camelCase of the columns in supabase/migrations so the mapping is mechanical.
 */
import * as z from 'zod/mini';
import { ClientMsgId, ConversationStatus, Id, IsoTime, OrgRole, SenderKind, Seq, text } from './fields.ts';
import {
  MAX_BODY_LENGTH,
  MAX_EMAIL_LENGTH,
  MAX_NAME_LENGTH,
  MAX_TITLE_LENGTH,
  MAX_TOPIC_LENGTH,
  MAX_URL_LENGTH,
} from './limits.ts';

/** A file shared in a conversation (public.attachments), with a signed URL that expires. */
export const Attachment = z.strictObject({
  id: Id,
  fileName: z.string(),
  /** The type found by sniffing the content, not the one the uploader claimed. */
  contentType: z.string(),
  sizeBytes: z.int().check(z.minimum(0)),
  /** A signed URL (absolute, or relative to the chat server) valid until `urlExpiresAt`. */
  url: z.string(),
  urlExpiresAt: IsoTime,
});
/** A file shared in a conversation. */
export type Attachment = z.infer<typeof Attachment>;

/** One message of a conversation (public.messages) as participants receive it. */
export const Message = z.strictObject({
  id: Id,
  conversationId: Id,
  seq: Seq,
  clientMsgId: ClientMsgId,
  senderKind: SenderKind,
  /** auth.users id for agent and note, visitors.id for visitor, null for system. */
  senderId: z.nullable(Id),
  /** The name to show; empty for system messages. */
  senderName: z.string(),
  body: z.string().check(z.maxLength(MAX_BODY_LENGTH)),
  /** Structured extras: system event details (e.g. `{ event: 'transferred', toGroupId }`). */
  payload: z.record(z.string(), z.unknown()),
  attachments: z.array(Attachment),
  createdAt: IsoTime,
});
/** One message of a conversation. */
export type Message = z.infer<typeof Message>;

/** Someone taking part in a conversation, as shown next to typing and read events. */
export const Actor = z.strictObject({
  kind: z.enum(['visitor', 'agent']),
  id: Id,
  name: z.string(),
});
/** Someone taking part in a conversation. */
export type Actor = z.infer<typeof Actor>;

/** An agent in a conversation (public.conversation_participants). */
export const Participant = z.strictObject({
  userId: Id,
  name: z.string(),
  /** assignee owns the chat; consultant was invited to help. */
  role: z.enum(['assignee', 'consultant']),
});
/** An agent in a conversation. */
export type Participant = z.infer<typeof Participant>;

/** The visitor of a conversation as agents see them (public.visitors). */
export const VisitorSummary = z.strictObject({
  id: Id,
  name: text(MAX_NAME_LENGTH),
  email: text(MAX_EMAIL_LENGTH),
});
/** The visitor of a conversation. */
export type VisitorSummary = z.infer<typeof VisitorSummary>;

/** The current state of a conversation (public.conversations plus live routing figures). */
export const Conversation = z.strictObject({
  id: Id,
  status: ConversationStatus,
  topic: text(MAX_TOPIC_LENGTH),
  groupId: z.nullable(Id),
  visitor: VisitorSummary,
  /** The agent who owns the chat, if any. */
  assignee: z.nullable(z.strictObject({ userId: Id, name: z.string() })),
  /** Agents currently in the conversation (assignee and consultants). */
  participants: z.array(Participant),
  /** Highest seq given so far. */
  lastSeq: Seq,
  /** Where the visitor has read up to. */
  visitorReadSeq: Seq,
  /** 1-based place in the group's queue while `queued`, else null. */
  queuePosition: z.nullable(z.int().check(z.minimum(1))),
  /** Estimated seconds until an agent picks it up while `queued`, else null. */
  estimatedWaitSeconds: z.nullable(z.int().check(z.minimum(0))),
  createdAt: IsoTime,
  closedAt: z.nullable(IsoTime),
  closedBy: z.nullable(z.enum(['visitor', 'agent', 'system'])),
  /** 1–5 once the visitor has rated the chat. */
  rating: z.nullable(z.int().check(z.minimum(1), z.maximum(5))),
});
/** The current state of a conversation. */
export type Conversation = z.infer<typeof Conversation>;

/** Who the server recognized a connection as, sent in `welcome`. */
export const Identity = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('visitor'),
    visitorId: Id,
    siteId: Id,
    name: text(MAX_NAME_LENGTH),
    email: text(MAX_EMAIL_LENGTH),
  }),
  z.strictObject({
    /** Every Supabase user (agents, managers, client_viewers) connects as kind `agent`; `role` says more. */
    kind: z.literal('agent'),
    userId: Id,
    orgId: Id,
    role: OrgRole,
    name: text(MAX_NAME_LENGTH),
    /** The groups the agent belongs to (routing and visibility). */
    groupIds: z.array(Id),
  }),
]);
/** Who the server recognized a connection as. */
export type Identity = z.infer<typeof Identity>;

/** A waiting conversation with the visitor preview agents need to pick it (manual-pick queues, offers). */
export const QueueEntry = z.strictObject({
  conversationId: Id,
  groupId: z.nullable(Id),
  /** 1-based place in the queue. */
  position: z.int().check(z.minimum(1)),
  queuedAt: IsoTime,
  topic: text(MAX_TOPIC_LENGTH),
  visitor: VisitorSummary,
  /** The page the visitor was on when they started, or empty. */
  pageUrl: text(MAX_URL_LENGTH),
  pageTitle: text(MAX_TITLE_LENGTH),
  /** The first message, possibly shortened, or empty. */
  firstMessage: text(MAX_BODY_LENGTH),
  /** The visitor's language (BCP 47), or empty. */
  language: z.string(),
});
/** A waiting conversation with a visitor preview. */
export type QueueEntry = z.infer<typeof QueueEntry>;
