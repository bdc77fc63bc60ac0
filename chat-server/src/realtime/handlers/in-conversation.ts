/**
 * Who may hand a conversation on (transfer, invite): its assignee or a participant, or a manager
 * and above. An agent who merely sees a group's chat may not move a colleague's conversation.
 */
import type { ConversationRef } from '../../conversations/types.ts';
import type { Sql } from '../../db/sql.ts';
import { FrameError } from '../frame-error.ts';
import type { AgentPrincipal } from '../principal.ts';

export async function assertMayRoute(sql: Sql, p: AgentPrincipal, ref: ConversationRef): Promise<void> {
  if (p.role === 'owner' || p.role === 'admin' || p.role === 'manager') return;
  const [row] = await sql<{ ok: boolean }[]>`
    select exists (
      select 1 from public.conversation_participants
      where conversation_id = ${ref.id} and user_id = ${p.userId} and left_at is null
    ) or exists (
      select 1 from public.conversations where id = ${ref.id} and assignee_id = ${p.userId}
    ) as ok`;
  if (!row?.ok)
    throw new FrameError('forbidden', 'Only agents in this conversation (or a manager) may do that');
}
