/**
 * The seam between the console and the chat server. The console renders from rune state that a
 * ConsoleFeed fills: `snapshot-feed.ts` reads what is already there from Supabase once (queue,
 * my chats, pending offers, under RLS), and `socket-feed.svelte.ts` is the live connection over the
 * chat server's WebSocket protocol (PROTOCOL.md, types from @chat/shared) that pushes everything after.
 */
import type { ClientFrame, QueueEntry, ServerFrame, ServerFrameOf } from '@chat/shared';

/** Where the live connection is. `stopped` needs the user (sign in again, reload); the rest heal. */
export type FeedStatus = 'connecting' | 'open' | 'reconnecting' | 'stopped';

export interface ConsoleFeed {
  /** Reactive. */
  readonly status: FeedStatus;
  /** Why the feed stopped or last dropped, for the banner. */
  readonly problem: string;
  /**
   * The close code that ended the connection before the current one (null before any closed): in
   * `onOpen`, what the reconnect recovered from.
   */
  readonly previousClose: number | null;
  start(): void;
  /** Closes for good (leaving the console, signing out). */
  stop(): void;
  /** Sends a frame now; false when not connected (callers keep what must survive, e.g. the outbox). */
  send(frame: ClientFrame): boolean;
  /** Every valid server frame, in order. Returns the unsubscribe function. */
  onFrame(handler: (frame: ServerFrame) => void): () => void;
  /** After each `welcome` (first connect and every reconnect): the moment to resubscribe and resend. */
  onOpen(handler: (welcome: ServerFrameOf<'welcome'>) => void): () => void;
}

/** A pending offer as the console shows it (from an `offer` frame or read back from Supabase). */
export interface OfferView {
  offerId: string;
  kind: 'assignment' | 'consult';
  expiresAt: string;
  entry: QueueEntry;
  note: string;
  from: string;
}

/** What the console starts from before the first live frame. */
export interface ConsoleSnapshot {
  /** Queued conversations the agent may see, as queue entries with the visitor preview. */
  queue: QueueEntry[];
  /** Conversations the agent is in now (assignee or consultant), oldest first, with their read position. */
  mine: { id: string; lastReadSeq: number }[];
  offers: OfferView[];
}
