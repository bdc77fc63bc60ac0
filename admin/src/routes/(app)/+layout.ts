import { requireMember } from '$lib/guards.ts';
import { session } from '$lib/state/session.svelte.ts';

export async function load({ url }) {
  await requireMember(url);
  // Which organization this navigation's data was loaded for: the layout shows a page only while it
  // matches the current one (see org-switcher.svelte), so one firm's rows never sit under another's name.
  return { loadedOrgId: session.orgId };
}
