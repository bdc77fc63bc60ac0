/**
 * Resolves a conversation id a client named into a ConversationRef it may act on, or throws
 * not_found. A positive answer is remembered on the connection for a short while so a burst of
 * typing or read frames does not cost an RLS transaction each; membership changes take effect
 * within that time (and at once on reconnect).
 */
import { agentConversation, visitorConversation } from '../conversations/access.ts';
import type { ConversationRef } from '../conversations/types.ts';
import type { Sql } from '../db/sql.ts';
import { notFound } from './frame-error.ts';
import type { Session } from './session.ts';

const CACHE_MS = 30_000;
const CACHE_MAX = 64;

export interface Access {
  conversation(session: Session, conversationId: string): Promise<ConversationRef>;
}

export function createAccess(sql: Sql): Access {
  return {
    async conversation(session, conversationId) {
      const cached = session.access?.get(conversationId);
      if (cached && Date.now() - cached.checkedAt < CACHE_MS) return cached.ref;
      const p = session.principal;
      const ref =
        p.kind === 'visitor'
          ? await visitorConversation(sql, p, conversationId)
          : await agentConversation(sql, p.claims, conversationId);
      if (!ref) throw notFound();
      session.access ??= new Map();
      if (session.access.size >= CACHE_MAX) session.access.clear();
      session.access.set(conversationId, { ref, checkedAt: Date.now() });
      return ref;
    },
  };
}
