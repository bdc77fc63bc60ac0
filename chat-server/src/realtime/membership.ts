/**
 * An agent connection's rights — role, client, groups — are read from org_members once, at
 * connect: org-wide frames (queues, new chats, presence) are filtered by them without a query per
 * frame. These helpers tell whether they still match the database: auth.refresh asks for one
 * connection, the membership watch for every agent connection of the instance at once.
 */
import type { Sql } from '../db/sql.ts';
import type { AgentPrincipal, OrgRole } from './principal.ts';

/** A membership's rights, as `membershipRights` selects them. */
export interface MembershipRights {
  org_id: string;
  user_id: string;
  role: OrgRole;
  client_id: string | null;
  /** Sorted by id. */
  group_ids: string[];
}

/**
 * The select-list of `MembershipRights` for an `org_members m` row. Connect (authenticate.ts)
 * and the rechecks here both read it, so a recheck compares exactly what a connection was given.
 */
export const membershipRights = (sql: Sql) => sql`
  m.org_id, m.user_id, m.role, m.client_id,
  array(select gm.group_id from public.group_members gm
        where gm.org_id = m.org_id and gm.user_id = m.user_id order by gm.group_id) as group_ids`;

const key = (orgId: string, userId: string) => `${orgId}:${userId}`;

/**
 * The agents among `principals` whose active membership no longer matches the one their
 * connection holds (removed, deactivated, another role or client, other groups), as `org:user` keys.
 */
export async function changedMemberships(
  sql: Sql,
  principals: readonly AgentPrincipal[],
): Promise<Set<string>> {
  if (principals.length === 0) return new Set();
  const rows = await sql<MembershipRights[]>`
    select ${membershipRights(sql)}
    from public.org_members m
    join unnest(${principals.map((p) => p.orgId)}::uuid[], ${principals.map((p) => p.userId)}::uuid[])
      as a (org_id, user_id) on a.org_id = m.org_id and a.user_id = m.user_id
    where m.active`;
  const current = new Map(rows.map((r) => [key(r.org_id, r.user_id), r]));
  const changed = new Set<string>();
  for (const p of principals) {
    const m = current.get(key(p.orgId, p.userId));
    const same =
      m !== undefined &&
      m.role === p.role &&
      m.client_id === p.clientId &&
      [...m.group_ids].sort().join(',') === [...p.groupIds].sort().join(',');
    if (!same) changed.add(key(p.orgId, p.userId));
  }
  return changed;
}

/** Whether this connection's rights still match the database (auth.refresh). */
export async function sameMembership(sql: Sql, p: AgentPrincipal): Promise<boolean> {
  return (await changedMemberships(sql, [p])).size === 0;
}

export const membershipKey = (p: AgentPrincipal) => key(p.orgId, p.userId);
