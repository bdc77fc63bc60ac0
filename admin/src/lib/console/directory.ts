/**
 * Who and what the console can hand a chat to, and the agent's own limits: groups, colleagues with
 * their availability, and this agent's status and chat limit (agent_status) under the ceiling their
 * manager set (org_members.max_chats). Read once with supabase-js; `presence` frames keep it fresh.
 */
import type { AgentAvailability } from '../data/agent-status.ts';
import { unwrap } from '../data/result.ts';
import { supabase } from '../supabase.ts';

export interface Colleague {
  userId: string;
  name: string;
  role: string;
  status: AgentAvailability;
}

export interface GroupOption {
  id: string;
  name: string;
  routingMode: 'auto' | 'manual';
}

export interface Directory {
  groups: GroupOption[];
  colleagues: Colleague[];
  status: AgentAvailability;
  maxChats: number;
  /** The most chats the manager allows this agent (org_members.max_chats). */
  ceiling: number;
  /** Clients by id, for labels. */
  clients: Map<string, string>;
}

export async function loadDirectory(orgId: string, userId: string): Promise<Directory> {
  const db = supabase();
  const [groups, members, statuses, clients] = await Promise.all([
    db.from('groups').select('id, name, routing_mode').eq('org_id', orgId).order('name'),
    db
      .from('org_members')
      .select('user_id, display_name, email, role, max_chats')
      .eq('org_id', orgId)
      .eq('active', true)
      .neq('role', 'client_viewer'),
    db.from('agent_status').select('user_id, status, max_chats').eq('org_id', orgId),
    db.from('clients').select('id, name').eq('org_id', orgId),
  ]);
  const statusRows = unwrap(statuses) as { user_id: string; status: AgentAvailability; max_chats: number }[];
  const statusOf = new Map(statusRows.map((s) => [s.user_id, s]));
  const memberRows = unwrap(members) as {
    user_id: string;
    display_name: string;
    email: string;
    role: string;
    max_chats: number;
  }[];
  const me = memberRows.find((m) => m.user_id === userId);
  const ceiling = me?.max_chats ?? 0;
  return {
    groups: (unwrap(groups) as { id: string; name: string; routing_mode: 'auto' | 'manual' }[]).map((g) => ({
      id: g.id,
      name: g.name,
      routingMode: g.routing_mode,
    })),
    colleagues: memberRows
      .filter((m) => m.user_id !== userId)
      .map((m) => ({
        userId: m.user_id,
        name: m.display_name || m.email,
        role: m.role,
        status: statusOf.get(m.user_id)?.status ?? 'offline',
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    status: statusOf.get(userId)?.status ?? 'offline',
    maxChats: Math.min(statusOf.get(userId)?.max_chats ?? ceiling, ceiling),
    ceiling,
    clients: new Map((unwrap(clients) as { id: string; name: string }[]).map((c) => [c.id, c.name])),
  };
}
