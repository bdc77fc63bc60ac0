/**
 * One connection's state. Kept small on purpose (the benchmark counts bytes per idle connection):
 * maps and timers are created only when a connection uses them.
 */
import type { ConversationRef } from '../conversations/types.ts';
import type { PubSubEvent } from '../pubsub/index.ts';
import type { DeliveryState } from './delivery-state.ts';
import type { Principal } from './principal.ts';
import type { ChatSocket } from './socket.ts';

/** A conversation this connection receives live events for. */
export interface Subscription {
  ref: ConversationRef;
  delivery: DeliveryState;
  /** Live events held back while a sync page is being read, replayed after it. */
  held: PubSubEvent[] | undefined;
}

export interface Session {
  readonly id: string;
  readonly principal: Principal;
  readonly socket: ChatSocket;
  readonly ip: string;
  /** Cleared by each heartbeat round, set by a pong or any frame; still false next round = dead. */
  alive: boolean;
  closed: boolean;
  /** Created with the first subscription (most idle connections never have one). */
  subscriptions: Map<string, Subscription> | undefined;
  /** Conversations this connection was allowed to name, so repeated frames skip the RLS round trip. */
  access: Map<string, { ref: ConversationRef; checkedAt: number }> | undefined;
  /** Conversations an agent on this connection is viewing. */
  viewing: Map<string, ConversationRef> | undefined;
  /** rate_limited answers in a row; too many closes the connection (4029). */
  strikes: number;
  /** Frames are handled one at a time, in order (message order is seq order). */
  queue: Promise<void>;
  /** Messages taken and not yet answered; the next frame that is not a plain message waits for them. */
  inFlight: Promise<void> | undefined;
  timers: Set<NodeJS.Timeout> | undefined;
  /** Server-side draft throttle: when the last one went out, and the latest one held back. */
  draft: { lastAt: number; pending?: { conversationId: string; text: string } } | undefined;
}

export function createSession(id: string, principal: Principal, socket: ChatSocket, ip: string): Session {
  return {
    id,
    principal,
    socket,
    ip,
    alive: true,
    closed: false,
    subscriptions: undefined,
    access: undefined,
    viewing: undefined,
    strikes: 0,
    queue: Promise.resolve(),
    inFlight: undefined,
    timers: undefined,
    draft: undefined,
  };
}

/** A timer owned by the session: cleared with it, so a closed connection leaves none behind. */
export function sessionTimer(session: Session, ms: number, fn: () => void): void {
  if (session.closed) return;
  const timer = setTimeout(() => {
    session.timers?.delete(timer);
    fn();
  }, ms);
  timer.unref();
  session.timers ??= new Set();
  session.timers.add(timer);
}

export function clearSessionTimers(session: Session): void {
  if (!session.timers) return;
  for (const t of session.timers) clearTimeout(t);
  session.timers = undefined;
}
