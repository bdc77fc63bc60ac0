/**
 * The scheduler: turns queued conversations of automatic groups into offers. Any instance may run
 * it at any time, as often as it likes; Postgres decides who wins:
 *   - the conversation is taken with `for update skip locked` (two instances take two different
 *     chats) and must have no pending offer (the unique partial index backs that up);
 *   - the agent's agent_status row is taken with `for update skip locked` too (an agent another
 *     instance is offering to right now is skipped, not waited for), and the capacity trigger
 *     recounts their load under that lock when the offer is inserted.
 * Runs are triggered by events (new chat, agent online, capacity freed, offer declined/expired)
 * and by the periodic sweep; requests for the same group while a run is going are coalesced.
 */
import type { Sql, Tx } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import { type Candidate, eligibleAgents } from './eligibility.ts';
import { isCapacityError, isOfferTaken, isRetryable } from './errors.ts';

export interface NewOffer {
  offerId: string;
  orgId: string;
  conversationId: string;
  groupId: string;
  userId: string;
  expiresAt: Date;
}

type Step =
  | { kind: 'none' }
  | { kind: 'offered'; offer: NewOffer }
  /** Eligible agents exist but another instance holds them right now: try again shortly. */
  | { kind: 'busy' }
  /** Nobody for this chat. `constrained`: its own conditions (language, skills, declines) may be why. */
  | { kind: 'no_agent'; conversationId: string; constrained: boolean };

interface QueuedRow {
  id: string;
  org_id: string;
  group_id: string;
  language: string;
  required_skills: string[];
  offer_timeout_seconds: number;
}

/** One conversation of the group: the oldest queued one without an offer that we could lock. */
export async function offerNext(
  sql: Sql,
  groupId: string,
  skip: string[],
  staleSeconds: number,
): Promise<Step> {
  return (await sql.begin(async (tx) => {
    const [c] = await tx<QueuedRow[]>`
      select c.id, c.org_id, c.group_id, c.language, c.required_skills, g.offer_timeout_seconds
      from public.conversations c
      join public.groups g on g.id = c.group_id
      where c.group_id = ${groupId} and c.status = 'queued' and g.routing_mode = 'auto'
        and c.id <> all(${skip}::uuid[])
        and not exists (
          select 1 from public.conversation_offers o
          where o.conversation_id = c.id and o.status = 'pending' and o.kind in ('assignment', 'transfer'))
      order by c.queued_at, c.id
      limit 1
      for update of c skip locked`;
    if (!c) return { kind: 'none' } as const;
    const candidates = await eligibleAgents(
      tx,
      { id: c.id, groupId, language: c.language, requiredSkills: c.required_skills },
      staleSeconds,
    );
    let busy = false;
    for (const candidate of candidates) {
      const offer = await tryOffer(tx, c, candidate);
      if (offer === 'taken') return { kind: 'no_agent', conversationId: c.id, constrained: true } as const;
      if (offer === 'locked') busy = true;
      else if (offer) return { kind: 'offered', offer } as const;
    }
    if (busy) return { kind: 'busy' } as const;
    const [declined] = await tx<{ any: boolean }[]>`
      select exists (select 1 from public.conversation_offers
                     where conversation_id = ${c.id} and status = 'declined'
                       and responded_at > now() - interval '60 seconds') as any`;
    return {
      kind: 'no_agent',
      conversationId: c.id,
      constrained: c.language !== '' || c.required_skills.length > 0 || declined?.any === true,
    } as const;
  })) as Step;
}

async function tryOffer(
  tx: Tx,
  c: QueuedRow,
  candidate: Candidate,
): Promise<NewOffer | 'taken' | 'locked' | null> {
  const locked = await tx`
    select 1 from public.agent_status where org_id = ${c.org_id} and user_id = ${candidate.userId}
    for update skip locked`;
  if (locked.length === 0) return 'locked';
  try {
    const [row] = await tx.savepoint(
      (sp) => sp<{ id: string; expires_at: Date }[]>`
        insert into public.conversation_offers (org_id, conversation_id, user_id, kind, expires_at)
        values (${c.org_id}, ${c.id}, ${candidate.userId}, 'assignment',
                now() + make_interval(secs => ${c.offer_timeout_seconds}))
        returning id, expires_at`,
    );
    if (!row) return null;
    return {
      offerId: row.id,
      orgId: c.org_id,
      conversationId: c.id,
      groupId: c.group_id,
      userId: candidate.userId,
      expiresAt: row.expires_at,
    };
  } catch (error) {
    if (isCapacityError(error)) return null;
    if (isOfferTaken(error)) return 'taken';
    throw error;
  }
}

export interface Scheduler {
  /** Schedule these groups soon (coalesced). */
  request(groupIds: Iterable<string | null>): void;
  /** Every automatic group with something waiting (the periodic sweep). */
  requestAll(): void;
  /** Resolves when no run is going or pending (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
}

export function createScheduler(deps: {
  sql: Sql;
  log: Logger;
  staleSeconds: number;
  onOffer: (offer: NewOffer) => Promise<void>;
}): Scheduler {
  const dirty = new Set<string>();
  let all = false;
  let running: Promise<void> | undefined;
  let closed = false;

  const retries = new Set<NodeJS.Timeout>();
  /** Another instance holds the agents this group needs; come back when it has committed. */
  function retryLater(groupId: string): void {
    if (closed) return;
    const timer = setTimeout(() => {
      retries.delete(timer);
      dirty.add(groupId);
      kick();
    }, 25);
    timer.unref();
    retries.add(timer);
  }

  async function waitingGroups(): Promise<string[]> {
    const rows = await deps.sql<{ group_id: string }[]>`
      select distinct c.group_id from public.conversations c
      join public.groups g on g.id = c.group_id and g.routing_mode = 'auto'
      where c.status = 'queued' and c.group_id is not null`;
    return rows.map((r) => r.group_id);
  }

  async function drainGroup(groupId: string): Promise<void> {
    const skip: string[] = [];
    for (let attempts = 0; !closed; ) {
      let step: Step;
      try {
        step = await offerNext(deps.sql, groupId, skip, deps.staleSeconds);
      } catch (error) {
        if (isRetryable(error) && ++attempts < 5) continue;
        throw error;
      }
      if (step.kind === 'none') return;
      if (step.kind === 'busy') {
        retryLater(groupId);
        return;
      }
      if (step.kind === 'offered') {
        await deps
          .onOffer(step.offer)
          .catch((error: unknown) => deps.log.warn({ err: error }, 'offer notification failed'));
        continue;
      }
      // Nobody for this chat. Without language or skills the next chat has the same candidates.
      if (!step.constrained) return;
      skip.push(step.conversationId);
    }
  }

  async function run(): Promise<void> {
    while (!closed && (all || dirty.size > 0)) {
      const groups = new Set(dirty);
      dirty.clear();
      if (all) {
        all = false;
        for (const g of await waitingGroups()) groups.add(g);
      }
      for (const groupId of groups) {
        if (closed) return;
        await drainGroup(groupId).catch((error: unknown) =>
          deps.log.error({ err: error, groupId }, 'scheduling failed'),
        );
      }
    }
  }

  function kick(): void {
    if (running || closed) return;
    running = run()
      .catch((error: unknown) => deps.log.error({ err: error }, 'scheduler run failed'))
      .finally(() => {
        running = undefined;
        if (!closed && (all || dirty.size > 0)) kick();
      });
  }

  return {
    request(groupIds) {
      for (const g of groupIds) if (g) dirty.add(g);
      kick();
    },
    requestAll() {
      all = true;
      kick();
    },
    async idle() {
      while (running) await running;
    },
    close() {
      closed = true;
      dirty.clear();
      for (const t of retries) clearTimeout(t);
      retries.clear();
    },
  };
}
