/**
 * The scheduler: turns queued conversations of automatic groups into offers. Any instance may run
 * it at any time, as often as it likes; Postgres decides who wins. One step is one call of
 * private.offer_queued_batch (migration 20261121001200_routing_batch.sql), which offers up to
 * BATCH chats of a group in one round trip:
 *   - each conversation is taken with `for update skip locked` (two instances take two different
 *     chats) and must have no pending offer (the unique partial index backs that up);
 *   - each agent's agent_status row is taken with `for update skip locked` too (an agent another
 *     instance is offering to right now is skipped, not waited for), their load is recounted under
 *     that lock, and the capacity trigger recounts it again when the offer is inserted;
 *   - who is eligible and how they are scored (load, recent performance, idle longest) is in the
 *     migration's header and the README's Routing section.
 * Runs are triggered by events (new chat, agent online, capacity freed, offer declined/expired)
 * and by the periodic sweep; requests for the same group while a run is going are coalesced. Each
 * instance walks the groups in its own order, so three instances sweeping at once mostly work on
 * different groups instead of skipping each other's locked rows in the same one.
 */
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import { isCapacityError, isOfferTaken, isRetryable } from './errors.ts';

export interface NewOffer {
  offerId: string;
  orgId: string;
  conversationId: string;
  groupId: string;
  userId: string;
  expiresAt: Date;
}

/** Offers per call: enough to drain a group's free slots in a few calls, short enough to commit soon. */
const BATCH = 25;

interface Batch {
  offers: NewOffer[];
  /** Chats nobody could take because of their own conditions (language, skills, a decline). */
  skipped: string[];
  /** more: call again; busy: another instance holds the agents needed, retry shortly; done. */
  next: 'more' | 'busy' | 'done';
}

interface BatchRow {
  kind: 'offer' | 'skipped' | 'more' | 'busy' | 'done';
  offer_id: string | null;
  org_id: string | null;
  conversation_id: string | null;
  user_id: string | null;
  expires_at: Date | null;
}

/** One step for a group: up to BATCH offers, oldest chats first, in one transaction. */
export async function offerBatch(
  sql: Sql,
  groupId: string,
  skip: string[],
  staleSeconds: number,
): Promise<Batch> {
  const rows = await sql<BatchRow[]>`
    select kind, offer_id, org_id, conversation_id, user_id, expires_at
    from private.offer_queued_batch(${groupId}, ${staleSeconds}, ${BATCH}, ${skip}::uuid[])`;
  const batch: Batch = { offers: [], skipped: [], next: 'done' };
  for (const r of rows) {
    if (r.kind === 'offer') {
      batch.offers.push({
        offerId: r.offer_id as string,
        orgId: r.org_id as string,
        conversationId: r.conversation_id as string,
        groupId,
        userId: r.user_id as string,
        expiresAt: r.expires_at as Date,
      });
    } else if (r.kind === 'skipped') batch.skipped.push(r.conversation_id as string);
    else batch.next = r.kind;
  }
  return batch;
}

/** A stable per-instance order of groups (FNV-1a of the id, salted): instances spread out. */
function spread(groups: Iterable<string>, salt: number): string[] {
  const key = (id: string): number => {
    let h = (2166136261 ^ salt) >>> 0;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
    return h;
  };
  return [...groups]
    .map((id) => ({ id, k: key(id) }))
    .sort((a, b) => a.k - b.k)
    .map((g) => g.id);
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
  /** One call per batch, with the batch's offers (all of one group). */
  onOffers: (offers: NewOffer[]) => Promise<void>;
}): Scheduler {
  const salt = Math.floor(Math.random() * 2 ** 32);
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

  /**
   * Automatic groups with more queued chats than pending offers for them (the others have nothing
   * to do). Two plain aggregates rather than a per-row anti-join, and the simple protocol (planned
   * afresh each time): a plan cached while the tables were small turned into a nested loop over
   * every pending offer per queued chat once a burst had filled them, seconds per sweep.
   */
  async function waitingGroups(): Promise<string[]> {
    const rows = await deps.sql<{ group_id: string }[]>`
      with queued as (
        select c.group_id, count(*) as n from public.conversations c
        where c.status = 'queued' and c.group_id is not null group by 1
      ), offered as (
        select c.group_id, count(*) as n from public.conversation_offers o
        join public.conversations c on c.id = o.conversation_id and c.status = 'queued'
        where o.status = 'pending' and o.kind in ('assignment', 'transfer') group by 1
      )
      select q.group_id from queued q
      join public.groups g on g.id = q.group_id and g.routing_mode = 'auto'
      left join offered f on f.group_id = q.group_id
      where q.n > coalesce(f.n, 0)`.simple();
    return rows.map((r) => r.group_id);
  }

  async function drainGroup(groupId: string): Promise<void> {
    const skip: string[] = [];
    for (let attempts = 0; !closed; ) {
      let batch: Batch;
      try {
        batch = await offerBatch(deps.sql, groupId, skip, deps.staleSeconds);
      } catch (error) {
        // A lost race the checks under lock should have ruled out (another writer of offers, a
        // manager lowering a limit mid-batch): the batch rolled back whole, so run it again.
        const lost = isRetryable(error) || isCapacityError(error) || isOfferTaken(error);
        if (lost && ++attempts < 5) continue;
        throw error;
      }
      if (batch.offers.length > 0) {
        await deps
          .onOffers(batch.offers)
          .catch((error: unknown) => deps.log.warn({ err: error }, 'offer notification failed'));
      }
      skip.push(...batch.skipped);
      if (batch.next === 'busy') retryLater(groupId);
      if (batch.next !== 'more') return;
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
      for (const groupId of spread(groups, salt)) {
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
