/**
 * Merging a fresh read from Supabase (after a reconnect) into what the console shows. The server
 * does not replay `offer`, `queue` or `presence` frames published while a console had no socket,
 * so the console re-reads them (snapshot-feed.ts, directory.ts) and merges here. Live frames that
 * arrived while that read was in flight are newer than it and win: the `Changed` sets name them.
 */
import type { QueueEntry } from '@chat/shared';
import type { OfferView } from './feed.ts';

/** What live frames changed while the catch-up read was in flight. */
export interface Changed {
  /** Offers that arrived in an `offer` frame. */
  offersArrived: Set<string>;
  /** Offers revoked, accepted or declined. */
  offersGone: Set<string>;
  /** Queue groups (key '' for unrouted) a `queue` frame replaced. */
  queues: Set<string>;
  /** Users a `presence` frame was about. */
  presence: Set<string>;
}

export function emptyChanged(): Changed {
  return { offersArrived: new Set(), offersGone: new Set(), queues: new Set(), presence: new Set() };
}

/**
 * The offers to show: those still pending in the read (keeping the copy already shown, from a live
 * frame or an earlier read), those that arrived live meanwhile, and the missed ones (`added`, to
 * announce).
 */
export function mergeOffers(
  current: readonly OfferView[],
  read: readonly OfferView[],
  changed: Changed,
): { offers: OfferView[]; added: OfferView[] } {
  const pending = new Set(read.map((o) => o.offerId));
  const offers = current.filter((o) => pending.has(o.offerId) || changed.offersArrived.has(o.offerId));
  const shown = new Set(offers.map((o) => o.offerId));
  const added = read.filter((o) => !shown.has(o.offerId) && !changed.offersGone.has(o.offerId));
  return { offers: [...offers, ...added], added };
}

/** Queues by group: the read's, except groups a live `queue` frame replaced meanwhile. */
export function mergeQueues(
  current: ReadonlyMap<string, QueueEntry[]>,
  read: readonly QueueEntry[],
  changed: Changed,
): Map<string, QueueEntry[]> {
  const next = new Map<string, QueueEntry[]>();
  for (const entry of read) {
    const key = entry.groupId ?? '';
    if (changed.queues.has(key)) continue;
    next.set(key, [...(next.get(key) ?? []), entry]);
  }
  for (const key of changed.queues) next.set(key, current.get(key) ?? []);
  return next;
}
