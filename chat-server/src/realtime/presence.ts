/**
 * Agent presence shared across instances. The agent's chosen status lives in agent_status (every
 * instance and the admin app read it there) and changes are published on the org channel.
 *
 * "Is this agent still connected anywhere?" is derived from heartbeats: every instance stamps
 * agent_status.last_seen_at for the agents connected to it once per heartbeat interval. When an
 * agent's last connection on an instance drops, that instance waits the grace period and marks
 * them offline only if no instance has stamped them since; an agent connected to two instances
 * stays online until both connections are gone.
 */
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { OrgEvent } from './events.ts';
import type { AgentPrincipal } from './principal.ts';
import type { Registry } from './registry.ts';

export interface Presence {
  connected(p: AgentPrincipal): void;
  disconnected(p: AgentPrincipal): void;
  /** Stores the agent's choice (maxChats capped at their manager's limit) and tells colleagues. */
  set(p: AgentPrincipal, status: 'online' | 'away' | 'offline', maxChats: number | undefined): Promise<void>;
  /** One heartbeat round: stamp every locally connected agent. */
  stamp(): Promise<void>;
  close(): void;
}

export function createPresence(deps: {
  sql: Sql;
  log: Logger;
  registry: Registry;
  heartbeatIntervalMs: number;
  graceMs: number;
  publishOrg: (orgId: string, event: OrgEvent) => Promise<void>;
  /** Routing: an agent's stored status changed (online starts offers; away/offline stops them). */
  onStatus?: (orgId: string, userId: string, status: 'online' | 'away' | 'offline') => void;
}): Presence {
  const { sql, log, registry } = deps;
  // Another instance's stamp is at most one interval old while it holds a connection.
  const staleAfterMs = Math.ceil(deps.heartbeatIntervalMs * 1.5);
  const graceMs = Math.max(deps.graceMs, deps.heartbeatIntervalMs * 2);
  const pending = new Map<string, NodeJS.Timeout>();
  const key = (p: AgentPrincipal) => `${p.orgId}:${p.userId}`;

  const stampOne = (p: AgentPrincipal) =>
    sql`update public.agent_status set last_seen_at = now() where org_id = ${p.orgId} and user_id = ${p.userId}`;

  async function goOfflineIfGone(p: AgentPrincipal): Promise<void> {
    if (registry.connectionsOf(p.orgId, p.userId) > 0) return;
    const rows = await sql<{ updated_at: Date }[]>`
      update public.agent_status set status = 'offline'
      where org_id = ${p.orgId} and user_id = ${p.userId} and status <> 'offline'
        and (last_seen_at is null or last_seen_at < now() - make_interval(secs => ${staleAfterMs / 1000}))
      returning updated_at`;
    if (rows[0]) {
      await deps.publishOrg(p.orgId, {
        kind: 'presence',
        userId: p.userId,
        status: 'offline',
        at: rows[0].updated_at.toISOString(),
      });
      deps.onStatus?.(p.orgId, p.userId, 'offline');
    }
  }

  return {
    connected(p) {
      if (p.role === 'client_viewer') return;
      const timer = pending.get(key(p));
      if (timer) {
        clearTimeout(timer);
        pending.delete(key(p));
      }
      stampOne(p).catch((error: unknown) => log.warn({ err: error }, 'presence stamp failed'));
    },

    disconnected(p) {
      if (p.role === 'client_viewer' || registry.connectionsOf(p.orgId, p.userId) > 0) return;
      if (pending.has(key(p))) return;
      const timer = setTimeout(() => {
        pending.delete(key(p));
        goOfflineIfGone(p).catch((error: unknown) => log.warn({ err: error }, 'presence offline failed'));
      }, graceMs);
      timer.unref();
      pending.set(key(p), timer);
    },

    async set(p, status, maxChats) {
      const [row] = await sql<{ status: 'online' | 'away' | 'offline'; updated_at: Date }[]>`
        insert into public.agent_status (org_id, user_id, status, max_chats, last_seen_at)
        select ${p.orgId}, ${p.userId}, ${status}, least(coalesce(${maxChats ?? null}::int, 5), m.max_chats), now()
        from public.org_members m where m.org_id = ${p.orgId} and m.user_id = ${p.userId}
        on conflict (org_id, user_id) do update
          set status = excluded.status,
              max_chats = case when ${maxChats ?? null}::int is null then agent_status.max_chats
                               else excluded.max_chats end,
              last_seen_at = now()
        returning status, updated_at`;
      if (!row) return;
      await deps.publishOrg(p.orgId, {
        kind: 'presence',
        userId: p.userId,
        status: row.status,
        at: row.updated_at.toISOString(),
      });
      deps.onStatus?.(p.orgId, p.userId, row.status);
    },

    async stamp() {
      const orgs: string[] = [];
      const users: string[] = [];
      const seen = new Set<string>();
      for (const s of registry.sessions) {
        const p = s.principal;
        if (p.kind !== 'agent' || p.role === 'client_viewer' || seen.has(key(p))) continue;
        seen.add(key(p));
        orgs.push(p.orgId);
        users.push(p.userId);
      }
      if (orgs.length === 0) return;
      await sql`
        update public.agent_status s set last_seen_at = now()
        from unnest(${orgs}::uuid[], ${users}::uuid[]) as a (org_id, user_id)
        where s.org_id = a.org_id and s.user_id = a.user_id`;
    },

    close() {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}
