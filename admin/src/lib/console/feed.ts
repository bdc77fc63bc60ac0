/**
 * The seam between the console and the chat server's real-time core (being built in the chat-server
 * and routing issues). The console renders from a ConsoleFeed; today the only implementation reads a
 * snapshot from Supabase (what RLS shows this agent), and the WebSocket implementation will push
 * the same shapes live (queue offers, messages, typing previews) through `subscribe`.
 */
import type { ConversationRow } from '../data/types.ts';

export interface ConsoleSnapshot {
  queue: ConversationRow[];
  mine: ConversationRow[];
}

export interface ConsoleFeed {
  /** The current queue and the agent's active chats. */
  snapshot(): Promise<ConsoleSnapshot>;
  /** Called on every change; returns the unsubscribe function. The snapshot feed never calls it. */
  subscribe(onChange: (snapshot: ConsoleSnapshot) => void): () => void;
}
