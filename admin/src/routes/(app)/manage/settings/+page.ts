import { getOrganization } from '$lib/data/organizations.ts';
import { currentOrgId } from '$lib/guards.ts';

export async function load() {
  return { organization: await getOrganization(await currentOrgId()) };
}
