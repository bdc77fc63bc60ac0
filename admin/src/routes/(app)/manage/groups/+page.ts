import { listGroupMembers, listGroups } from '$lib/data/groups.ts';
import { currentOrgId } from '$lib/guards.ts';

export async function load() {
  const orgId = await currentOrgId();
  const [groups, groupMembers] = await Promise.all([listGroups(orgId), listGroupMembers(orgId)]);
  return { orgId, groups, groupMembers };
}
