import { listSnippets } from '$lib/data/snippets.ts';
import { currentOrgId, guardRole } from '$lib/guards.ts';
import { isStaff } from '$lib/roles.ts';

export async function load() {
  await guardRole(isStaff)();
  const orgId = await currentOrgId();
  return { orgId, snippets: await listSnippets(orgId) };
}
