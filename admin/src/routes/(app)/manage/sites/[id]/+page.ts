import { error } from '@sveltejs/kit';
import { listClients } from '$lib/data/clients.ts';
import { listGroups } from '$lib/data/groups.ts';
import { getSite } from '$lib/data/sites.ts';
import { currentOrgId } from '$lib/guards.ts';

export async function load({ params }) {
  const orgId = await currentOrgId();
  const [site, groups, clients] = await Promise.all([
    getSite(params.id),
    listGroups(orgId),
    listClients(orgId),
  ]);
  if (!site) error(404, 'Site not found');
  return { site, groups, clients };
}
