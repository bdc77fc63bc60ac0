import { supabase } from '../supabase.ts';
import { expectChanged, unwrap } from './result.ts';
import type { Member } from './types.ts';

export async function listMembers(orgId: string): Promise<Member[]> {
  return unwrap(
    await supabase()
      .from('org_members')
      .select('org_id, user_id, role, client_id, display_name, email, max_chats, active')
      .eq('org_id', orgId)
      .order('display_name'),
  );
}

export type MemberPatch = Partial<
  Pick<Member, 'role' | 'client_id' | 'display_name' | 'max_chats' | 'active'>
>;

/** RLS: owners and admins only; the last active owner cannot be demoted or deactivated (trigger). */
export async function updateMember(orgId: string, userId: string, patch: MemberPatch) {
  expectChanged(
    await supabase()
      .from('org_members')
      .update(patch)
      .eq('org_id', orgId)
      .eq('user_id', userId)
      .select('user_id'),
  );
}
