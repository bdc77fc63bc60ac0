/**
 * Keeps an agent's live subscriptions within what RLS lets them read now, not only when they
 * subscribed. Access can end while a connection follows a conversation: it is transferred to a
 * group the agent is not in, or the offer that let them look at it (a preview) is declined,
 * taken, withdrawn or runs out. A subscription that RLS no longer allows is dropped: the
 * connection gets a `not_found` error naming the conversation, no further events, and forgets its
 * cached access (a new subscribe is checked afresh). (A change of the agent's own role, client or
 * groups closes the whole connection instead: membership-watch.ts.)
 *
 * When it is checked:
 * - at once, for the agents (role `agent`: their access depends on groups and offers) following a
 *   conversation whose state changed (a `conversation` event: group, status, participants), and
 *   for the agent whose offer of it ended (`offer.revoked`, or their own decline);
 * - every ACCESS_RECHECK_MS (30 s) for every agent subscription, for what ends with no event (an
 *   offer whose time ran out before a sweep revoked it, a policy changed in Postgres).
 * Checks are coalesced per connection: one RLS query for all its conversations in question. The
 * events published in the few milliseconds a check takes may still reach the follower.
 * Visitors are not rechecked: they follow only their own conversations, which stay theirs.
 */
import { agentReadable } from '../conversations/access.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { Registry } from './registry.ts';
import type { Session, Subscription } from './session.ts';

export interface SubscriptionAccess {
  /** A conversation's state changed: recheck its `agent`-role followers. */
  conversationChanged(conversationId: string): void;
  /** An offer of the conversation to this user ended: recheck their subscriptions to it. */
  offerEnded(orgId: string, userId: string, conversationId: string): void;
  /** One round over every agent subscription (the timer's; exported for tests). */
  recheckAll(): Promise<void>;
  close(): void;
}

export function createSubscriptionAccess(deps: {
  sql: Sql;
  log: Logger;
  registry: Registry;
  intervalMs: number;
  /** Ends the subscription and tells the client (not_found naming the conversation). */
  drop(session: Session, sub: Subscription): Promise<void>;
}): SubscriptionAccess {
  const { registry, log } = deps;
  /** Conversations to recheck per connection, flushed on the next turn of the event loop. */
  const due = new Map<Session, Set<string>>();
  let flushScheduled = false;
  let closed = false;

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

  // A failed check keeps the subscription (it was allowed when made) and is logged; the next
  // round retries. Failing closed would silence every open chat on a database blip.
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

  // A round that outlasts the interval is not started twice.
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    api.recheckAll().finally(() => {
      running = false;
    });
  }, deps.intervalMs);
  timer.unref();

  const api: SubscriptionAccess = {
    conversationChanged(conversationId) {
      for (const session of registry.inConversation(conversationId)) {
        const p = session.principal;
        if (p.kind === 'agent' && p.role === 'agent') schedule(session, conversationId);
      }
    },

    offerEnded(orgId, userId, conversationId) {
      for (const session of registry.agentsOf(orgId)) {
        const p = session.principal;
        if (p.kind === 'agent' && p.userId === userId) schedule(session, conversationId);
      }
    },

    async recheckAll() {
      const sessions = [...registry.sessions].filter(
        (s) => s.principal.kind === 'agent' && s.subscriptions?.size,
      );
      // Spread over half the interval, one connection at a time: a round is a background trickle,
      // not a burst of RLS transactions for the messages of that moment to queue behind (a burst
      // of 100 raised the latency benchmark's p99 at 1k msg/s).
      const gapMs = Math.min(deps.intervalMs / 2 / Math.max(sessions.length, 1), 1000);
      for (const [i, session] of sessions.entries()) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
        if (closed) return;
        await recheck(session, session.subscriptions?.keys() ?? []).catch(warn);
      }
    },

    close() {
      closed = true;
      clearInterval(timer);
      due.clear();
    },
  };
  return api;
}
