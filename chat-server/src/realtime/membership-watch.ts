/**
 * Ends agent connections whose rights changed since they connected. A connection's role, client
 * and groups are read at connect (membership.ts) and filter every org-wide frame it gets — group
 * queues with visitor names and first messages, new chats, presence — so an agent removed from a
 * group kept getting that group's queue, and someone removed from the organization all of it,
 * until their token expired (auth.refresh refuses to extend a changed membership; up to an hour).
 *
 * Every ACCESS_RECHECK_MS (30 s) each instance compares its agents' current memberships with their
 * connections' (one query for all of them) and closes each connection whose membership changed
 * with 4005 access_changed: the client reconnects at once and gets its current rights, or 4003 if
 * it is no longer a member. Subscriptions are kept to RLS separately (subscription-access.ts).
 */
import { CloseCode } from '@chat/shared';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import { changedMemberships, membershipKey } from './membership.ts';
import type { AgentPrincipal } from './principal.ts';
import type { Registry } from './registry.ts';
import type { Session } from './session.ts';

export interface MembershipWatch {
  /** One round over every agent connection (the timer's; exported for tests). */
  check(): Promise<void>;
  close(): void;
}

export function createMembershipWatch(deps: {
  sql: Sql;
  log: Logger;
  registry: Registry;
  intervalMs: number;
  end(session: Session, code: number, reason: string): void;
}): MembershipWatch {
  const { registry, log } = deps;

  async function check(): Promise<void> {
    const agents = new Map<string, AgentPrincipal>();
    for (const session of registry.sessions) {
      const p = session.principal;
      if (p.kind === 'agent') agents.set(membershipKey(p), p);
    }
    const changed = await changedMemberships(deps.sql, [...agents.values()]);
    if (changed.size === 0) return;
    for (const session of [...registry.sessions]) {
      const p = session.principal;
      if (p.kind !== 'agent' || !changed.has(membershipKey(p))) continue;
      log.info({ userId: p.userId, orgId: p.orgId }, 'membership changed: connection closed');
      deps.end(session, CloseCode.ACCESS_CHANGED, 'access_changed');
    }
  }

  // A round that outlasts the interval is not started twice.
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    check()
      .catch((error: unknown) => log.warn({ err: error }, 'membership check failed'))
      .finally(() => {
        running = false;
      });
  }, deps.intervalMs);
  timer.unref();

  return {
    check,
    close() {
      clearInterval(timer);
    },
  };
}
