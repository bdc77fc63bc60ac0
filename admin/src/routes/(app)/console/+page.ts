import { snapshotFeed } from '$lib/console/snapshot-feed.ts';
import { getMyStatus } from '$lib/data/agent-status.ts';
import { currentOrgId, guardRole } from '$lib/guards.ts';
import { isStaff } from '$lib/roles.ts';
import { session } from '$lib/state/session.svelte.ts';

export async function load() {
  await guardRole(isStaff)();
  const orgId = await currentOrgId();
  const userId = session.user!.id;
  const [snapshot, status] = await Promise.all([
    snapshotFeed(orgId, userId).snapshot(),
    getMyStatus(orgId, userId),
  ]);
  return { orgId, userId, status, ...snapshot };
}
