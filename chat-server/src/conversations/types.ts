/**
 * What the realtime core knows about a conversation it is about to act on: enough to pick the
 * pub/sub channel and to refuse writes to a closed chat, without loading the whole record.
 */
export interface ConversationRef {
  id: string;
  orgId: string;
  clientId: string;
  visitorId: string;
  groupId: string | null;
  status: 'queued' | 'active' | 'closed' | 'offline';
}

/** Who sends a message, as stored in messages.sender_kind / sender_id. */
export type SenderKind = 'visitor' | 'agent' | 'system' | 'note';
