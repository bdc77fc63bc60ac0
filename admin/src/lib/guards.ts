/**
 * Route guards for universal loads. They keep people out of pages that would only show them errors;
 * they are not security (RLS is), and the server never trusts them.
 */
import { error, redirect } from '@sveltejs/kit';
import type { OrgRole } from './roles.ts';
import { session } from './state/session.svelte.ts';

/** Signed in with at least one membership, or off to /login (remembering where they were going). */
export async function requireMember(url: URL): Promise<void> {
  await session.ready();
  if (!session.user) redirect(307, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
}

/** A page only some roles see: the others get the same 404 as a page that does not exist. */
export async function requireRole(allowed: (role: OrgRole | undefined) => boolean): Promise<void> {
  await session.ready();
  if (!allowed(session.role)) error(404, 'Page not found');
}

/** A layout or page load that only lets `allowed` roles in. */
export function guardRole(allowed: (role: OrgRole | undefined) => boolean) {
  return async () => {
    await requireRole(allowed);
  };
}

/** The current organization's id, once the session is loaded (the (app) layout guarantees one). */
export async function currentOrgId(): Promise<string> {
  await session.ready();
  if (!session.orgId) error(403, 'You are not a member of any organization.');
  return session.orgId;
}
