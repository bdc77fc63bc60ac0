import { unwrap } from '../data/result.ts';
import type { ConversationRow } from '../data/types.ts';
import { supabase } from '../supabase.ts';
import type { ConsoleFeed } from './feed.ts';

const COLUMNS =
  'id, org_id, client_id, site_id, status, group_id, assignee_id, topic, created_at, queued_at, assigned_at, first_response_at, closed_at, rating, feedback, visitor:visitors(name, email, user_agent, attributes), client:clients(name), group:groups(name)';

/** A one-off read of the queue and the agent's chats, until the WebSocket feed replaces it. */
export function snapshotFeed(orgId: string, userId: string): ConsoleFeed {
  return {
    async snapshot() {
      const [queue, mine] = await Promise.all([
        supabase()
          .from('conversations')
          .select(COLUMNS)
          .eq('org_id', orgId)
          .eq('status', 'queued')
          .order('queued_at')
          .limit(50),
        supabase()
          .from('conversations')
          .select(COLUMNS)
          .eq('org_id', orgId)
          .eq('status', 'active')
          .eq('assignee_id', userId)
          .order('assigned_at'),
      ]);
      return {
        queue: unwrap(queue) as unknown as ConversationRow[],
        mine: unwrap(mine) as unknown as ConversationRow[],
      };
    },
    subscribe: () => () => {},
  };
}
