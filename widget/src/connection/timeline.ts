/**
 * Merging messages into a conversation's timeline by seq, per the delivery rules in
 * chat-server/PROTOCOL.md: `lastSeq` is the highest seq with no gap below it; a seq at or below
 * it is a duplicate (a resend, a resume overlap, another tab's echo) and is dropped; one above
 * lastSeq + 1 is kept aside and reported as a gap so the caller re-subscribes from lastSeq, whose
 * `sync` answer then covers the seqs this reader never gets (internal notes).
 */
import type { Message } from '@chat/shared';

export interface Timeline {
  /** Shown messages in seq order (contiguous from the first page). */
  messages: Message[];
  lastSeq: number;
  /** Arrived ahead of a gap, waiting for the missing seqs. */
  aside: Message[];
}

export function emptyTimeline(): Timeline {
  return { messages: [], lastSeq: 0, aside: [] };
}

/**
 * Returns the new timeline and whether a gap is open (then subscribe with afterSeq: lastSeq).
 * `coveredSeq`: the server says every seq up to it has been sent to this reader or is hidden
 * from it (internal notes never reach a visitor), so seqs missing below it are not gaps.
 */
export function mergeMessages(
  t: Timeline,
  incoming: readonly Message[],
  coveredSeq = 0,
): { timeline: Timeline; gap: boolean } {
  const pool = new Map<number, Message>();
  for (const m of [...t.aside, ...incoming]) if (m.seq > t.lastSeq) pool.set(m.seq, m);
  const messages = [...t.messages];
  let lastSeq = t.lastSeq;
  if (coveredSeq > lastSeq) {
    for (const m of [...pool.values()].sort((a, b) => a.seq - b.seq)) {
      if (m.seq > coveredSeq) break;
      messages.push(m);
      pool.delete(m.seq);
    }
    lastSeq = coveredSeq;
  }
  for (let next = pool.get(lastSeq + 1); next; next = pool.get(lastSeq + 1)) {
    messages.push(next);
    pool.delete(next.seq);
    lastSeq = next.seq;
  }
  const aside = [...pool.values()].sort((a, b) => a.seq - b.seq);
  return { timeline: { messages, lastSeq, aside }, gap: aside.length > 0 };
}
