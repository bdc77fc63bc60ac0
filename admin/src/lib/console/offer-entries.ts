/**
 * Keeps offer cards' visitor previews current. A routing sweep on any instance can offer a new
 * chat in the moment between the conversation's insert and its first message's (the widget sends
 * both in one conversation.start), so the offer frame's entry has no first message yet; the group's
 * next `queue` frame, sent once the chat is enqueued, carries the complete entry.
 */
import type { QueueEntry } from '@chat/shared';
import type { OfferView } from './feed.ts';

/** `offers` with the entries of `entries` for the same conversations; the same array if none match. */
export function withFreshEntries(offers: OfferView[], entries: readonly QueueEntry[]): OfferView[] {
  if (offers.length === 0 || entries.length === 0) return offers;
  const fresh = new Map(entries.map((e) => [e.conversationId, e]));
  if (!offers.some((o) => fresh.has(o.entry.conversationId))) return offers;
  return offers.map((o) => {
    const entry = fresh.get(o.entry.conversationId);
    return entry ? { ...o, entry } : o;
  });
}
