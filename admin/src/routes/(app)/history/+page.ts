import { agentNames } from '$lib/data/agents-directory.ts';
import { listClients } from '$lib/data/clients.ts';
import { listGroups } from '$lib/data/groups.ts';
import { filtersFromUrl, searchConversations } from '$lib/data/history.ts';
import { currentOrgId } from '$lib/guards.ts';
import { isStaff } from '$lib/roles.ts';
import { session } from '$lib/state/session.svelte.ts';

export async function load({ url }) {
  const orgId = await currentOrgId();
  const filters = filtersFromUrl(url.searchParams);
  const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
  const staff = isStaff(session.role);
  // A client_viewer can read neither groups nor colleagues; asking would only return nothing.
  const [result, clients, groups, agents] = await Promise.all([
    searchConversations(orgId, filters, page),
    listClients(orgId),
    staff ? listGroups(orgId) : Promise.resolve([]),
    staff ? agentNames(orgId) : Promise.resolve(new Map<string, string>()),
  ]);
  return { orgId, filters, page, ...result, clients, groups, agents };
}
