/**
 * What the realtime core publishes on pub/sub: one event per conversation change on the
 * conversation's channel (never one per recipient), and org-wide events on the org channel. Every
 * instance turns them into server frames for its own connections, filtering per recipient
 * (notes, agents-only frames) at delivery time.
 */
import type { Actor, Conversation, Message, ServerFrame } from '@chat/shared';

export type ConversationEvent =
  | { kind: 'message'; conversationId: string; message: Message }
  | { kind: 'conversation'; conversationId: string; conversation: Conversation }
  | { kind: 'typing'; conversationId: string; from: Actor; on: boolean }
  | { kind: 'draft'; conversationId: string; visitorId: string; text: string }
  | { kind: 'read'; conversationId: string; reader: Actor; seq: number }
  | { kind: 'page_view'; conversationId: string; visitorId: string; url: string; title: string; at: string }
  | { kind: 'viewing'; conversationId: string; userId: string; name: string; on: boolean };

export type OrgEvent =
  /** A visitor started a chat. Routing (issue 4) will add queues and offers next to this. */
  | { kind: 'conversation.new'; clientId: string; conversation: Conversation }
  | { kind: 'presence'; userId: string; status: 'online' | 'away' | 'offline'; at: string }
  /** Routing: a frame for one agent's connections (offer, offer.revoked). */
  | { kind: 'agent.frame'; userId: string; frame: ServerFrame }
  /** Routing: a frame for the staff who may see a group's conversations (queue). */
  | { kind: 'group.frame'; groupId: string | null; frame: ServerFrame };
