/**
 * How routing tells people: one publish per change (pub/sub carries it to every instance), to an
 * agent, to a group's staff, or on the conversation's own channel (its visitor and subscribers).
 */
import type { Message, ServerFrame } from '@chat/shared';
import { loadConversation } from '../conversations/queries.ts';
import type { Sql } from '../db/sql.ts';
import type { ConversationFeed } from '../realtime/conversation-feed.ts';

export interface Notify {
  toAgent(orgId: string, userId: string, frame: ServerFrame): Promise<void>;
  toGroup(orgId: string, groupId: string | null, frame: ServerFrame): Promise<void>;
  message(conv: { orgId: string; id: string }, message: Message): Promise<void>;
  /** Loads the conversation's state once and publishes it; returns it (null if gone). */
  conversation(conv: { orgId: string; id: string }): Promise<import('@chat/shared').Conversation | null>;
}

export function createNotify(sql: Sql, feed: ConversationFeed): Notify {
  return {
    toAgent: (orgId, userId, frame) => feed.publishOrg(orgId, { kind: 'agent.frame', userId, frame }),
    toGroup: (orgId, groupId, frame) => feed.publishOrg(orgId, { kind: 'group.frame', groupId, frame }),
    message: (conv, message) => feed.publish(conv, { kind: 'message', conversationId: conv.id, message }),
    async conversation(conv) {
      const conversation = await loadConversation(sql, conv.id);
      if (conversation) {
        await feed.publish(conv, { kind: 'conversation', conversationId: conv.id, conversation });
      }
      return conversation;
    },
  };
}
