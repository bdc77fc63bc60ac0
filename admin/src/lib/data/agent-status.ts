import { supabase } from '../supabase.ts';
import { unwrap } from './result.ts';

export type AgentAvailability = 'online' | 'away' | 'offline';

export async function getMyStatus(orgId: string, userId: string): Promise<AgentAvailability> {
  const row = unwrap(
    await supabase()
      .from('agent_status')
      .select('status')
      .eq('org_id', orgId)
      .eq('user_id', userId)
      .maybeSingle(),
  ) as { status: AgentAvailability } | null;
  return row?.status ?? 'offline';
}

/** Each agent writes only their own row (RLS); the chat server reads it for routing. */
export async function setMyStatus(orgId: string, userId: string, status: AgentAvailability) {
  unwrap(
    await supabase()
      .from('agent_status')
      .upsert({ org_id: orgId, user_id: userId, status }, { onConflict: 'org_id,user_id' }),
  );
}
