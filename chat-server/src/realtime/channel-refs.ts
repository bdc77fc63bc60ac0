/**
 * One pub/sub subscription per channel per instance, held while at least one local session needs
 * it. Acquire resolves once events published elsewhere reach this node, so a caller may then read
 * the backlog from Postgres without a gap.
 */
import type { PubSub, PubSubHandler, Unsubscribe } from '../pubsub/index.ts';

interface Entry {
  count: number;
  ready: Promise<Unsubscribe>;
}

export class ChannelRefs {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly handler: PubSubHandler,
  ) {}

  async acquire(channel: string): Promise<void> {
    let entry = this.entries.get(channel);
    if (!entry) {
      const ready = this.pubsub.subscribe(channel, this.handler);
      entry = { count: 0, ready };
      this.entries.set(channel, entry);
      ready.catch(() => {
        if (this.entries.get(channel)?.ready === ready) this.entries.delete(channel);
      });
    }
    entry.count++;
    await entry.ready;
  }

  release(channel: string): void {
    const entry = this.entries.get(channel);
    if (!entry) return;
    entry.count--;
    if (entry.count > 0) return;
    this.entries.delete(channel);
    entry.ready.then(
      (unsubscribe) => unsubscribe(),
      () => {},
    );
  }

  size(): number {
    return this.entries.size;
  }

  /** Drops every subscription (shutdown). */
  releaseAll(): void {
    for (const channel of [...this.entries.keys()]) {
      const entry = this.entries.get(channel);
      if (entry) entry.count = 1;
      this.release(channel);
    }
  }
}
