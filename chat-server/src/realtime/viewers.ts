/**
 * Which agents are looking at a conversation, per instance, built from the `viewing` events every
 * instance publishes on the conversation's channel. Live-only: an instance learns the list while it
 * has local subscribers on the conversation (a late subscriber on another instance sees it from
 * the next change on).
 */
import type { ConversationEvent } from './events.ts';

type ViewingEvent = Extract<ConversationEvent, { kind: 'viewing' }>;

export interface Viewers {
  apply(event: ViewingEvent): void;
  list(conversationId: string): { userId: string; name: string }[];
  forget(conversationId: string): void;
}

export function createViewers(): Viewers {
  const byConversation = new Map<string, Map<string, string>>();
  return {
    apply(event) {
      let viewers = byConversation.get(event.conversationId);
      if (event.on) {
        if (!viewers) {
          viewers = new Map();
          byConversation.set(event.conversationId, viewers);
        }
        viewers.set(event.userId, event.name);
      } else if (viewers) {
        viewers.delete(event.userId);
        if (viewers.size === 0) byConversation.delete(event.conversationId);
      }
    },
    list(conversationId) {
      const viewers = byConversation.get(conversationId);
      return viewers ? [...viewers].map(([userId, name]) => ({ userId, name })) : [];
    },
    forget(conversationId) {
      byConversation.delete(conversationId);
    },
  };
}
