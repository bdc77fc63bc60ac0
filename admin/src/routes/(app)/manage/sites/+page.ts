import { listClients } from '$lib/data/clients.ts';
import { listSites } from '$lib/data/sites.ts';
import { currentOrgId } from '$lib/guards.ts';

export async function load() {
  const orgId = await currentOrgId();
  const [sites, clients] = await Promise.all([listSites(orgId), listClients(orgId)]);
  return { orgId, sites, clients };
}
