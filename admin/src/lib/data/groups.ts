import { supabase } from '../supabase.ts';
import { expectChanged, unwrap } from './result.ts';
import type { Group, GroupMember } from './types.ts';

const COLUMNS = 'id, org_id, name, description, routing_mode, offer_timeout_seconds';

export async function listGroups(orgId: string): Promise<Group[]> {
  return unwrap(await supabase().from('groups').select(COLUMNS).eq('org_id', orgId).order('name'));
}

export type GroupInput = Pick<Group, 'name' | 'description' | 'routing_mode' | 'offer_timeout_seconds'>;

export async function createGroup(orgId: string, input: GroupInput): Promise<Group> {
  return unwrap(
    await supabase()
      .from('groups')
      .insert({ org_id: orgId, ...input })
      .select(COLUMNS)
      .single(),
  );
}

export async function updateGroup(id: string, patch: Partial<GroupInput>) {
  expectChanged(await supabase().from('groups').update(patch).eq('id', id).select('id'));
}

export async function deleteGroup(id: string) {
  expectChanged(await supabase().from('groups').delete().eq('id', id).select('id'));
}

export async function listGroupMembers(orgId: string): Promise<GroupMember[]> {
  return unwrap(
    await supabase()
      .from('group_members')
      .select('org_id, group_id, user_id, max_chats, skills, languages')
      .eq('org_id', orgId),
  );
}

/** Adds or updates an agent's membership of a group (primary key group_id, user_id). */
export async function saveGroupMember(member: GroupMember) {
  unwrap(await supabase().from('group_members').upsert(member, { onConflict: 'group_id,user_id' }));
}

export async function removeGroupMember(groupId: string, userId: string) {
  unwrap(await supabase().from('group_members').delete().eq('group_id', groupId).eq('user_id', userId));
}
