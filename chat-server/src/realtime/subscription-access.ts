/**
 * Keeps an agent's live subscriptions within what RLS lets them read now, not only when they
 * subscribed. Access can end while a connection follows a conversation: it moves to a group the
 * agent is not in, or the offer that let them look at it (a preview) is declined, taken, withdrawn
 * or runs out. A subscription that RLS no longer allows is dropped: the connection gets a
 * `not_found` error naming the conversation, no further events, and forgets its cached access (a
 * new subscribe is checked afresh). A change of the agent's own role, client or groups closes the
 * whole connection instead (membership-watch.ts).
 *
 * Checked as the agent (RLS), one query per connection for all its conversations in question,
 * when one of these events reaches the instance:
 * - a `conversation` event whose group differs from the one the subscription last saw, for the
 *   followers of role `agent` (their access depends on groups; a participant keeps theirs after
 *   leaving, and managers and client viewers see the conversation whatever its group);
 * - `offer.revoked` for the agent it was offered to (the routing sweep also sends it when an
 *   offer runs out), and the agent's own decline.
 * Not on a timer: a round of one RLS transaction per agent connection, even spread over 15 s,
 * raised the latency benchmark's p99 at 1k msg/s from 1.32× to 1.68× the reference (README).
 * The events published in the few milliseconds a check takes may still reach the follower.
 * Visitors are not rechecked: they follow only their own conversations, which stay theirs.
 */
import { agentReadable } from '../conversations/access.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { Registry } from './registry.ts';
import type { Session, Subscription } from './session.ts';

export interface SubscriptionAccess {
  /** A `conversation` event: its agent-role followers are rechecked if its group changed. */
  conversationChanged(conversationId: string, groupId: string | null): void;
  /** An offer of the conversation to this user ended: recheck their subscriptions to it. */
  offerEnded(orgId: string, userId: string, conversationId: string): void;
  close(): void;
}

export function createSubscriptionAccess(deps: {
  sql: Sql;
  log: Logger;
  registry: Registry;
  /** Ends the subscription and tells the client (not_found naming the conversation). */
  drop(session: Session, sub: Subscription): Promise<void>;
}): SubscriptionAccess {
  const { registry, log } = deps;
  /** Conversations to recheck per connection, flushed on the next turn of the event loop. */
  const due = new Map<Session, Set<string>>();
  let flushScheduled = false;

  async function recheck(session: Session, conversationIds: Iterable<string>): Promise<void> {
    const p = session.principal;
    if (p.kind !== 'agent' || session.closed) return;
    const ids = [...conversationIds].filter((id) => session.subscriptions?.has(id));
    if (ids.length === 0) return;
    const readable = await agentReadable(deps.sql, p.claims, ids);
    for (const id of ids) {
      const sub = session.subscriptions?.get(id);
      if (!sub || readable.has(id) || session.closed) continue;
      log.info({ userId: p.userId, conversationId: id }, 'access ended: subscription dropped');
      await deps.drop(session, sub);
    }
  }

  // A failed check keeps the subscription (it was allowed when made) and is logged: failing
  // closed would silence every open chat on a database blip.
  const warn = (error: unknown) => log.warn({ err: error }, 'subscription access check failed');

  function flush(): void {
    flushScheduled = false;
    const batch = [...due];
    due.clear();
    for (const [session, ids] of batch) recheck(session, ids).catch(warn);
  }

  function schedule(session: Session, conversationId: string): void {
    const ids = due.get(session) ?? new Set<string>();
    due.set(session, ids);
    ids.add(conversationId);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  return {
    conversationChanged(conversationId, groupId) {
      for (const session of registry.inConversation(conversationId)) {
        const p = session.principal;
        const sub = session.subscriptions?.get(conversationId);
        // Queue refreshes publish unchanged conversations again and again: only a new group counts.
        if (p.kind !== 'agent' || p.role !== 'agent' || !sub || sub.ref.groupId === groupId) continue;
        sub.ref = { ...sub.ref, groupId };
        schedule(session, conversationId);
      }
    },

    offerEnded(orgId, userId, conversationId) {
      for (const session of registry.agentsOf(orgId)) {
        const p = session.principal;
        if (p.kind === 'agent' && p.userId === userId) schedule(session, conversationId);
      }
    },

    close() {
      due.clear();
    },
  };
}
