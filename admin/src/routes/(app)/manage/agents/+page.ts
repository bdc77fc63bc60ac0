import { listClients } from '$lib/data/clients.ts';
import { listGroupMembers, listGroups } from '$lib/data/groups.ts';
import { listMembers } from '$lib/data/members.ts';
import { currentOrgId } from '$lib/guards.ts';

export async function load() {
  const orgId = await currentOrgId();
  const [members, groups, groupMembers, clients] = await Promise.all([
    listMembers(orgId),
    listGroups(orgId),
    listGroupMembers(orgId),
    listClients(orgId),
  ]);
  return { orgId, members, groups, groupMembers, clients };
}
