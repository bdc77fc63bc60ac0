/**
 * What each role may reach in the UI. This only shapes navigation: row-level security in the database
 * is what actually allows or denies every read and write.
 */
export type OrgRole = 'owner' | 'admin' | 'manager' | 'agent' | 'client_viewer';

export const ROLE_LABELS: Record<OrgRole, string> = {
  owner: 'Owner',
  admin: 'Admin',
  manager: 'Manager',
  agent: 'Agent',
  client_viewer: 'Client viewer',
};

/** Owner, admin and manager run clients, sites, groups, FAQs and org-wide snippets. */
export function canManage(role: OrgRole | undefined): boolean {
  return role === 'owner' || role === 'admin' || role === 'manager';
}

/** Owner and admin invite members and change roles (RLS: org_members writes). */
export function canAdminMembers(role: OrgRole | undefined): boolean {
  return role === 'owner' || role === 'admin';
}

/** Everyone but a client's own reviewer works in the console. */
export function isStaff(role: OrgRole | undefined): boolean {
  return role !== undefined && role !== 'client_viewer';
}

/** Analytics: managers for the whole firm, a client_viewer for their own client. */
export function canSeeAnalytics(role: OrgRole | undefined): boolean {
  return canManage(role) || role === 'client_viewer';
}

/** The page a role lands on after signing in. */
export function homePath(role: OrgRole | undefined): string {
  if (role === 'client_viewer') return '/history';
  return '/console';
}
