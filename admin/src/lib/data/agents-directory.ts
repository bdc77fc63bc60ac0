import { supabase } from '../supabase.ts';
import { unwrap } from './result.ts';

/**
 * Names of the organization's staff, for "handled by" columns. A client_viewer may read only their
 * own membership (RLS), so for them the map is nearly empty and callers fall back to "Agent".
 */
export async function agentNames(orgId: string): Promise<Map<string, string>> {
  const rows = unwrap(
    await supabase()
      .from('org_members')
      .select('user_id, display_name, email, role')
      .eq('org_id', orgId)
      .neq('role', 'client_viewer'),
  ) as Array<{ user_id: string; display_name: string; email: string }>;
  return new Map(rows.map((row) => [row.user_id, row.display_name || row.email]));
}
