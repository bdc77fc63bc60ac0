import { openConsole } from '$lib/console/open.ts';
import { currentOrgId, guardRole } from '$lib/guards.ts';
import { isStaff } from '$lib/roles.ts';
import { session } from '$lib/state/session.svelte.ts';

export async function load() {
  await guardRole(isStaff)();
  const orgId = await currentOrgId();
  const user = session.user!;
  const store = await openConsole(orgId, user.id, session.current?.display_name || user.email || '');
  return { store };
}
