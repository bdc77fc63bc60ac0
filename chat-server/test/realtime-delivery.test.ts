/** Seq dedupe per connection: each seq goes out once, in whatever order pub/sub and sync pages bring it. */
import { describe, expect, it } from 'vitest';
import { DeliveryState } from '../src/realtime/delivery-state.ts';

describe('DeliveryState', () => {
  it('takes each seq once, out of order too, and closes gaps', () => {
    const d = new DeliveryState(3);
    expect(d.take(3)).toBe(false);
    expect(d.take(5)).toBe(true);
    expect(d.watermark).toBe(3);
    expect(d.take(5)).toBe(false);
    expect(d.take(4)).toBe(true);
    expect(d.watermark).toBe(5);
    expect(d.take(6)).toBe(true);
    expect(d.take(4)).toBe(false);
  });

  it('treats everything a sync page covered as handled, including seqs hidden from the reader', () => {
    const d = new DeliveryState(0);
    expect(d.take(9)).toBe(true);
    d.cover(7); // a page returned 1..7 (a note at 6 hidden from a visitor)
    expect(d.watermark).toBe(7);
    expect(d.take(6)).toBe(false);
    expect(d.take(8)).toBe(true);
    expect(d.watermark).toBe(9);
    expect(d.take(9)).toBe(false);
    d.cover(2);
    expect(d.watermark).toBe(9);
  });
});
