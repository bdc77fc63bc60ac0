import { supabase } from '../supabase.ts';
import type { Membership } from './types.ts';

/** The signed-in user's active memberships, with each organization's name (RLS shows only their own). */
export async function listMemberships(userId: string): Promise<Membership[]> {
  const { data, error } = await supabase()
    .from('org_members')
    .select(
      'org_id, user_id, role, client_id, display_name, email, organization:organizations(name, slug), client:clients(name)',
    )
    .eq('user_id', userId)
    .eq('active', true)
    .order('created_at');
  if (error) throw error;
  return (data ?? []) as unknown as Membership[];
}
