/**
 * Per session and conversation: which message seqs this connection has been given (or had hidden
 * from it, like notes for a visitor). Pub/sub may deliver out of order or again after a resync, and
 * a sync page overlaps the live stream, so each seq goes out at most once.
 *
 * `watermark` is the highest seq with nothing missing below it; `above` holds the handled seqs
 * past a gap, usually empty, so the state stays a few bytes per subscription.
 */
export class DeliveryState {
  watermark: number;
  private above: Set<number> | undefined;

  constructor(watermark: number) {
    this.watermark = watermark;
  }

  /** True the first time a seq is seen; records it. */
  take(seq: number): boolean {
    if (seq <= this.watermark || this.above?.has(seq)) return false;
    if (seq === this.watermark + 1) {
      this.watermark = seq;
      this.advance();
    } else {
      this.above ??= new Set();
      this.above.add(seq);
    }
    return true;
  }

  /** Everything up to `seq` is handled (a sync page covered it). */
  cover(seq: number): void {
    if (seq <= this.watermark) return;
    this.watermark = seq;
    if (this.above) for (const s of this.above) if (s <= seq) this.above.delete(s);
    this.advance();
  }

  private advance(): void {
    if (!this.above) return;
    while (this.above.delete(this.watermark + 1)) this.watermark++;
    if (this.above.size === 0) this.above = undefined;
  }
}
