/**
 * Agent presence shared across instances. The agent's chosen status lives in agent_status (every
 * instance and the admin app read it there) and changes are published on the org channel.
 *
 * "Is this agent still connected anywhere?" is derived from heartbeats: every instance stamps
 * agent_status.last_seen_at for the agents connected to it once per heartbeat interval. When an
 * agent's last connection on an instance goes, that instance waits and then marks them offline
 * only if no instance has stamped them meanwhile; an agent connected to two instances stays online
 * until both connections are gone. How long it waits depends on how the connection ended:
 *
 * - **lost** (network drop, crash, server-side end): the long grace (PRESENCE_GRACE_MS, 30 s), so
 *   a flaky link or an instance restart does not make them flap; "stamped meanwhile" means a stamp
 *   newer than one heartbeat interval and a half.
 * - **left** (the browser's close frame, 1000/1001: tab closed, navigated away, signed out): the
 *   short grace (PRESENCE_LEAVE_GRACE_MS, 3 s), so new chats stop being offered to someone who is
 *   gone. Not zero: a page reload sends 1001 and reconnects a second or two later, and an offline
 *   flap would revoke their pending offers. Heartbeat stamps are too far apart to prove a
 *   connection elsewhere within 3 s, so the departing instance notes the database clock at the
 *   departure, then asks every instance holding this agent to stamp them now (a probe on the
 *   agent's pub/sub channel); after the short grace, any stamp newer than the departure (a probe
 *   answer, or a reconnect's stamp on any instance) keeps them online. If something did stamp
 *   them, the long-grace check follows, as for a lost connection.
 */
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { PubSub, PubSubEvent, Unsubscribe } from '../pubsub/index.ts';
import type { OrgEvent } from './events.ts';
import type { AgentPrincipal } from './principal.ts';
import type { Registry } from './registry.ts';
import type { Departure } from './socket.ts';

export interface Presence {
  connected(p: AgentPrincipal): void;
  /** One of the agent's connections on this instance ended (see Departure for `how`). */
  disconnected(p: AgentPrincipal, how?: Departure): void;
  /** Stores the agent's choice (maxChats capped at their manager's limit) and tells colleagues. */
  set(p: AgentPrincipal, status: 'online' | 'away' | 'offline', maxChats: number | undefined): Promise<void>;
  /** One heartbeat round: stamp every locally connected agent. */
  stamp(): Promise<void>;
  close(): void;
}

/** On the agent's channel: "whoever holds a connection of this agent, stamp them now". */
const PROBE = 'presence.probe';

type Status = 'online' | 'away' | 'offline';

export function createPresence(deps: {
  sql: Sql;
  log: Logger;
  registry: Registry;
  /** Carries the departure probes (channels.agent). */
  pubsub: PubSub;
  heartbeatIntervalMs: number;
  graceMs: number;
  /** After a clean departure (capped at the long grace). */
  leaveGraceMs: number;
  publishOrg: (orgId: string, event: OrgEvent) => Promise<void>;
  /** Routing: an agent's stored status changed (online starts offers; away/offline stops them). */
  onStatus?: (orgId: string, userId: string, status: Status) => void;
}): Presence {
  const { sql, log, registry, pubsub } = deps;
  // Another instance's stamp is at most one interval old while it holds a connection.
  const staleAfterMs = Math.ceil(deps.heartbeatIntervalMs * 1.5);
  const graceMs = Math.max(deps.graceMs, deps.heartbeatIntervalMs * 2);
  const leaveGraceMs = Math.min(deps.leaveGraceMs, graceMs);
  const pending = new Map<string, NodeJS.Timeout>();
  /** Probe subscriptions, one per agent connected here (while they have a connection here). */
  const probes = new Map<string, Promise<Unsubscribe | undefined>>();
  const key = (p: AgentPrincipal) => `${p.orgId}:${p.userId}`;
  const warn = (what: string) => (error: unknown) => log.warn({ err: error }, what);

  const stampOne = (p: AgentPrincipal) =>
    sql`update public.agent_status set last_seen_at = now() where org_id = ${p.orgId} and user_id = ${p.userId}`;

  /**
   * Marks the agent offline unless a connection is known: locally, or elsewhere by a stamp that is
   * fresh (lost) or newer than the departure's database time `since` (left). True if it did.
   */
  async function goOfflineIfGone(p: AgentPrincipal, since: string | null): Promise<boolean> {
    if (registry.connectionsOf(p.orgId, p.userId) > 0) return false;
    const unseen =
      since === null
        ? sql`last_seen_at < now() - make_interval(secs => ${staleAfterMs / 1000})`
        : sql`last_seen_at <= ${since}::timestamptz`;
    const rows = await sql<{ updated_at: Date }[]>`
      update public.agent_status set status = 'offline'
      where org_id = ${p.orgId} and user_id = ${p.userId} and status <> 'offline'
        and (last_seen_at is null or ${unseen})
      returning updated_at`;
    if (!rows[0]) return false;
    await deps.publishOrg(p.orgId, {
      kind: 'presence',
      userId: p.userId,
      status: 'offline',
      at: rows[0].updated_at.toISOString(),
    });
    deps.onStatus?.(p.orgId, p.userId, 'offline');
    return true;
  }

  function schedule(p: AgentPrincipal, ms: number, check: () => Promise<void>): void {
    const timer = setTimeout(() => {
      pending.delete(key(p));
      check().catch(warn('presence offline failed'));
    }, ms);
    timer.unref();
    pending.set(key(p), timer);
  }

  function afterLost(p: AgentPrincipal): void {
    schedule(p, graceMs, async () => {
      await goOfflineIfGone(p, null);
    });
  }

  function afterLeft(p: AgentPrincipal): void {
    // The database's clock, not ours: instances and Postgres may disagree by more than the grace.
    const departedAt = sql<{ at: string }[]>`select now()::text as at`.then((rows) => rows[0]?.at ?? null);
    // Published after the departure time is read, so every answering stamp is newer than it.
    departedAt
      .then(() => pubsub.publish(pubsub.channels.agent(p.userId), { kind: PROBE, orgId: p.orgId }))
      .catch(warn('presence probe failed'));
    schedule(p, leaveGraceMs, async () => {
      const since = await departedAt;
      if (since !== null && (await goOfflineIfGone(p, since))) return;
      // Stamped since (a connection elsewhere, or a stamp in flight as they left): the long check.
      if (registry.connectionsOf(p.orgId, p.userId) === 0 && !pending.has(key(p))) afterLost(p);
    });
  }

  function listenForProbes(p: AgentPrincipal): void {
    if (probes.has(key(p))) return;
    const onProbe = (event: PubSubEvent) => {
      if (event.kind !== PROBE || event.orgId !== p.orgId) return;
      if (registry.connectionsOf(p.orgId, p.userId) > 0) stampOne(p).catch(warn('presence stamp failed'));
    };
    probes.set(
      key(p),
      pubsub.subscribe(pubsub.channels.agent(p.userId), onProbe).catch((error: unknown) => {
        warn('presence probe subscription failed')(error);
        return undefined;
      }),
    );
  }

  function stopProbes(k: string): void {
    const subscription = probes.get(k);
    probes.delete(k);
    subscription?.then((unsubscribe) => unsubscribe?.());
  }

  return {
    connected(p) {
      if (p.role === 'client_viewer') return;
      const timer = pending.get(key(p));
      if (timer) {
        clearTimeout(timer);
        pending.delete(key(p));
      }
      listenForProbes(p);
      stampOne(p).catch(warn('presence stamp failed'));
    },

    disconnected(p, how = 'lost') {
      if (p.role === 'client_viewer' || registry.connectionsOf(p.orgId, p.userId) > 0) return;
      stopProbes(key(p));
      const timer = pending.get(key(p));
      if (timer) {
        // A lost connection's long wait is cut short by a later clean departure, never lengthened.
        if (how === 'lost') return;
        clearTimeout(timer);
        pending.delete(key(p));
      }
      if (how === 'left') afterLeft(p);
      else afterLost(p);
    },

    async set(p, status, maxChats) {
      const [row] = await sql<{ status: Status; updated_at: Date }[]>`
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
      for (const k of [...probes.keys()]) stopProbes(k);
    },
  };
}
