/**
 * Who may see a conversation that has just started, for the org-wide "new chat" event. It mirrors
 * the conversations_select policy for a conversation with no assignee or participants yet, and is
 * never wider: managers and above see all, a client viewer their client's, an agent their groups'
 * and unrouted ones. Anything an agent then opens goes through the real RLS check (asUser).
 */
import type { AgentPrincipal } from './principal.ts';

export function maySeeNewConversation(
  p: AgentPrincipal,
  c: { orgId: string; clientId: string; groupId: string | null },
): boolean {
  if (p.orgId !== c.orgId) return false;
  switch (p.role) {
    case 'owner':
    case 'admin':
    case 'manager':
      return true;
    case 'client_viewer':
      return p.clientId === c.clientId;
    case 'agent':
      return c.groupId === null || p.groupIds.includes(c.groupId);
  }
}

/** Staff who see a group's queue (routing): managers and above, and the group's agents; never client viewers. */
export function seesGroup(p: AgentPrincipal, groupId: string | null): boolean {
  if (p.role === 'client_viewer') return false;
  if (p.role !== 'agent') return true;
  return groupId === null || p.groupIds.includes(groupId);
}
