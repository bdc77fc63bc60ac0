import type { Message } from '@chat/shared';
import { describe, expect, it } from 'vitest';
import { emptyTimeline, mergeMessages } from '../src/connection/timeline.ts';

const msg = (seq: number): Message => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  conversationId: '00000000-0000-4000-8000-000000000001',
  seq,
  clientMsgId: `c${seq}`,
  senderKind: 'agent',
  senderId: null,
  senderName: 'Tom',
  body: `m${seq}`,
  payload: {},
  attachments: [],
  createdAt: new Date(0).toISOString(),
});
const seqs = (messages: readonly Message[]) => messages.map((m) => m.seq);

describe('mergeMessages', () => {
  it('appends contiguous messages and drops duplicates', () => {
    const first = mergeMessages(emptyTimeline(), [msg(1), msg(2)]);
    const again = mergeMessages(first.timeline, [msg(2), msg(3)]);
    expect(seqs(again.timeline.messages)).toEqual([1, 2, 3]);
    expect(again.timeline.lastSeq).toBe(3);
    expect(again.gap).toBe(false);
  });

  it('keeps a message after a gap aside and reports the gap', () => {
    const { timeline, gap } = mergeMessages(mergeMessages(emptyTimeline(), [msg(1)]).timeline, [msg(3)]);
    expect(gap).toBe(true);
    expect(seqs(timeline.messages)).toEqual([1]);
    expect(seqs(timeline.aside)).toEqual([3]);
  });

  it('closes a gap left by an internal note once a sync covers it, and shows what was held', () => {
    // The visitor saw 1; seq 2 is a note they never get; 3 arrived live and opened a "gap".
    const held = mergeMessages(mergeMessages(emptyTimeline(), [msg(1)]).timeline, [msg(3)]).timeline;
    // Re-subscribing from 1 answers a complete page [3] with lastSeq 3.
    const { timeline, gap } = mergeMessages(held, [msg(3)], 3);
    expect(gap).toBe(false);
    expect(seqs(timeline.messages)).toEqual([1, 3]);
    expect(timeline.lastSeq).toBe(3);
    // The next live message follows on without another gap.
    const next = mergeMessages(timeline, [msg(4)]);
    expect(next.gap).toBe(false);
    expect(next.timeline.lastSeq).toBe(4);
  });

  it('does not skip a visible message above the covered seq', () => {
    const { timeline, gap } = mergeMessages(emptyTimeline(), [msg(2), msg(5)], 3);
    expect(seqs(timeline.messages)).toEqual([2]);
    expect(timeline.lastSeq).toBe(3);
    expect(gap).toBe(true);
    expect(seqs(timeline.aside)).toEqual([5]);
  });
});
