import { redirect } from '@sveltejs/kit';
import { homePath } from '$lib/roles.ts';
import { session } from '$lib/state/session.svelte.ts';

/** "/" sends each role to its own home page. */
export async function load() {
  await session.ready();
  redirect(307, session.user ? homePath(session.role) : '/login');
}
