import { listClients } from '$lib/data/clients.ts';
import { listSites } from '$lib/data/sites.ts';
import { currentOrgId } from '$lib/guards.ts';

export async function load() {
  const orgId = await currentOrgId();
  const [clients, sites] = await Promise.all([listClients(orgId), listSites(orgId)]);
  return { orgId, clients, sites };
}
