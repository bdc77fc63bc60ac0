import type { Logger } from 'pino';
import type { PubSubEvent, PubSubHandler } from './types.ts';

interface Subscription {
  readonly handler: PubSubHandler;
  active: boolean;
}

/**
 * The part both implementations share: which handlers listen on which channel on THIS node, and
 * delivering to them. The Redis implementation adds the upstream subscription on top, driven by
 * the first/last transitions this class reports (that is the reference counting).
 */
export class LocalFanout {
  readonly #byChannel = new Map<string, Set<Subscription>>();
  // A FIFO instead of direct calls: a handler that publishes while being called would otherwise
  // have its event overtake the one still being delivered to the handlers after it.
  #queue: Array<{ channel: string; event: PubSubEvent }> = [];
  #draining = false;
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Adds a handler. `first` is true when the channel had none (subscribe upstream). */
  add(channel: string, handler: PubSubHandler): { subscription: Subscription; first: boolean } {
    let set = this.#byChannel.get(channel);
    const first = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.#byChannel.set(channel, set);
    }
    const subscription: Subscription = { handler, active: true };
    set.add(subscription);
    return { subscription, first };
  }

  /** Removes a handler. Returns true when it was the channel's last one (unsubscribe upstream). */
  remove(channel: string, subscription: Subscription): boolean {
    if (!subscription.active) return false;
    subscription.active = false;
    const set = this.#byChannel.get(channel);
    if (set === undefined || !set.delete(subscription)) return false;
    if (set.size > 0) return false;
    this.#byChannel.delete(channel);
    return true;
  }

  has(channel: string): boolean {
    return this.#byChannel.has(channel);
  }

  /** Channels with at least one handler: what must be (re)subscribed upstream. */
  channels(): string[] {
    return [...this.#byChannel.keys()];
  }

  /** Delivers to every current handler of `channel`, after anything already queued. */
  deliver(channel: string, event: PubSubEvent): void {
    if (!this.#byChannel.has(channel)) return;
    this.#queue.push({ channel, event });
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let i = 0; i < this.#queue.length; i++) {
        const item = this.#queue[i]!;
        this.#callAll(item.channel, item.event);
      }
    } finally {
      this.#queue = [];
      this.#draining = false;
    }
  }

  /** Deactivates every handler (used by close). */
  clear(): void {
    for (const set of this.#byChannel.values()) for (const s of set) s.active = false;
    this.#byChannel.clear();
    this.#queue = [];
  }

  #callAll(channel: string, event: PubSubEvent): void {
    const set = this.#byChannel.get(channel);
    if (set === undefined) return;
    // Snapshot: a handler added during delivery starts with the next event; one removed is skipped.
    for (const subscription of [...set]) {
      if (!subscription.active) continue;
      try {
        const result = subscription.handler(event, channel);
        if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, (err: unknown) =>
            this.#logHandlerError(channel, event, err),
          );
        }
      } catch (err) {
        this.#logHandlerError(channel, event, err);
      }
    }
  }

  #logHandlerError(channel: string, event: PubSubEvent, err: unknown): void {
    this.#logger.error(
      { err, channel, eventType: event.type },
      'pub/sub handler failed; other handlers unaffected',
    );
  }
}
