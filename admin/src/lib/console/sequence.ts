/**
 * The per-conversation ordering rule of PROTOCOL.md (Delivery guarantees), as the console applies
 * it: `lastSeq` is the highest seq received with no gap below it. A message at or below it is a
 * duplicate (dropped); the next one is shown; one further ahead is held and the gap is reported,
 * so the caller re-subscribes from `lastSeq` and the missing ones arrive. Plain TypeScript.
 */
import type { Message } from '@chat/shared';

export interface Received {
  /** Messages to append now, in seq order (empty for a duplicate or a held one). */
  show: Message[];
  /** A seq is missing below a held message: re-subscribe with `afterSeq: lastSeq`. */
  gap: boolean;
}

export class Sequence {
  lastSeq = 0;
  #ahead = new Map<number, Message>();

  receive(message: Message): Received {
    if (message.seq <= this.lastSeq || this.#ahead.has(message.seq)) return { show: [], gap: false };
    if (message.seq > this.lastSeq + 1) {
      this.#ahead.set(message.seq, message);
      return { show: [], gap: true };
    }
    const show = [message];
    this.lastSeq = message.seq;
    for (let next = this.#ahead.get(this.lastSeq + 1); next; next = this.#ahead.get(this.lastSeq + 1)) {
      this.#ahead.delete(next.seq);
      show.push(next);
      this.lastSeq = next.seq;
    }
    return { show, gap: false };
  }

  /**
   * A complete `sync` page (no `hasMore`) covers every seq up to its `lastSeq`, including any this
   * reader may not see, so nothing is waited for below it.
   */
  synced(lastSeq: number, hasMore: boolean): void {
    if (!hasMore && this.#ahead.size === 0 && lastSeq > this.lastSeq) this.lastSeq = lastSeq;
  }

  get waiting(): number {
    return this.#ahead.size;
  }
}
