/**
 * The console's pure parts: the seq rule (no gap, no duplicate), the outbox (same clientMsgId on
 * resend, a window of 32), snippet shortcuts at the caret, and the browser label.
 */
import type { Message } from '@chat/shared';
import { describe, expect, it } from 'vitest';
import { describeBrowser } from '../src/lib/console/browser-label.ts';
import { Outbox, SEND_WINDOW } from '../src/lib/console/outbox.ts';
import { Sequence } from '../src/lib/console/sequence.ts';
import { applySnippet, fillSnippet, matchSnippets, tokenAt } from '../src/lib/console/snippets.ts';
import type { Snippet } from '../src/lib/data/types.ts';

const message = (seq: number): Message => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  conversationId: '00000000-0000-4000-8000-000000000000',
  seq,
  clientMsgId: `m${seq}`,
  senderKind: 'visitor',
  senderId: null,
  senderName: 'Ana',
  body: `message ${seq}`,
  payload: {},
  attachments: [],
  createdAt: '2026-11-21T09:30:00.000Z',
});

describe('Sequence', () => {
  it('shows messages in order and drops duplicates', () => {
    const s = new Sequence();
    expect(s.receive(message(1)).show.map((m) => m.seq)).toEqual([1]);
    expect(s.receive(message(1)).show).toEqual([]);
    expect(s.receive(message(2)).show.map((m) => m.seq)).toEqual([2]);
    expect(s.lastSeq).toBe(2);
  });

  it('holds a message ahead of a gap, reports the gap, and releases both when it is filled', () => {
    const s = new Sequence();
    s.receive(message(1));
    expect(s.receive(message(3))).toEqual({ show: [], gap: true });
    expect(s.receive(message(2)).show.map((m) => m.seq)).toEqual([2, 3]);
    expect(s.lastSeq).toBe(3);
    expect(s.waiting).toBe(0);
  });

  it('a complete sync page covers seqs this reader never sees', () => {
    const s = new Sequence();
    s.receive(message(1));
    s.synced(4, false);
    expect(s.lastSeq).toBe(4);
    expect(s.receive(message(5)).show.map((m) => m.seq)).toEqual([5]);
    s.synced(9, true); // more pages to come: nothing is assumed
    expect(s.lastSeq).toBe(5);
  });
});

describe('Outbox', () => {
  const conversationId = '00000000-0000-4000-8000-000000000001';

  it('sends at most SEND_WINDOW unanswered, and resends with the same clientMsgId after a drop', () => {
    const box = new Outbox();
    for (let i = 0; i < SEND_WINDOW + 3; i++)
      box.add({ conversationId, body: `b${i}`, note: false, attachmentIds: [] });
    const sent: string[] = [];
    box.pump((frame) => {
      if (frame.type === 'message.send') sent.push(frame.clientMsgId);
      return true;
    });
    expect(sent).toHaveLength(SEND_WINDOW);
    box.ack(sent[0] as string);
    box.pump((frame) => {
      if (frame.type === 'message.send') sent.push(frame.clientMsgId);
      return true;
    });
    expect(sent).toHaveLength(SEND_WINDOW + 1);

    box.requeue();
    const resent: string[] = [];
    box.pump((frame) => {
      if (frame.type === 'message.send') resent.push(frame.clientMsgId);
      return true;
    });
    expect(resent[0]).toBe(sent[1]); // the acked one is not sent again
    expect(new Set(resent).size).toBe(resent.length);
  });

  it('keeps a message when not connected, retries passing errors and fails the others', () => {
    const changes: number[] = [];
    const box = new Outbox((items) => changes.push(items.length));
    const a = box.add({ conversationId, body: 'a', note: true, attachmentIds: [] });
    const b = box.add({ conversationId, body: 'b', note: false, attachmentIds: [] });
    box.pump(() => false);
    expect(box.items.map((m) => m.state)).toEqual(['queued', 'queued']);
    let frameSent: unknown;
    box.pump((frame) => {
      frameSent ??= frame;
      return true;
    });
    expect(frameSent).toMatchObject({ type: 'message.send', clientMsgId: a, note: true, ref: a });
    box.refuse(a, 'rate_limited', 'slow down');
    box.refuse(b, 'forbidden', 'You may not write here');
    expect(box.items.map((m) => [m.state, m.error])).toEqual([
      ['queued', ''],
      ['failed', 'You may not write here'],
    ]);
    box.delivered(a);
    expect(box.items.map((m) => m.clientMsgId)).toEqual([b]);
    expect(changes.length).toBeGreaterThan(0);
  });
});

describe('snippet shortcuts', () => {
  const snippets = [
    {
      id: '1',
      org_id: 'o',
      owner_id: null,
      shortcut: 'ref',
      title: 'Ask for reference',
      body: 'Your reference?',
    },
    {
      id: '2',
      org_id: 'o',
      owner_id: 'me',
      shortcut: 'refund',
      title: 'Refund',
      body: 'Refunded, {visitor}.',
    },
    { id: '3', org_id: 'o', owner_id: null, shortcut: 'bye', title: 'Closing', body: 'Bye from {agent}!' },
  ] as Snippet[];

  it('finds /word or #word right before the caret, at the start or after a space only', () => {
    expect(tokenAt('/re', 3)).toEqual({ start: 0, end: 3, query: 're' });
    expect(tokenAt('Hi #Bye', 7)).toEqual({ start: 3, end: 7, query: 'bye' });
    expect(tokenAt('http://x', 8)).toBeNull();
    expect(tokenAt('a/b', 3)).toBeNull();
  });

  it('ranks the exact shortcut first, then prefixes, then titles', () => {
    expect(matchSnippets(snippets, 'ref').map((s) => s.shortcut)).toEqual(['ref', 'refund']);
    expect(matchSnippets(snippets, 'clos').map((s) => s.shortcut)).toEqual(['bye']);
    expect(matchSnippets(snippets, 'zzz')).toEqual([]);
  });

  it('replaces the token with the filled snippet and puts the caret after it', () => {
    const token = tokenAt('Hello /bye', 10)!;
    const body = fillSnippet(snippets[2]!.body, { agent: 'Tom', visitor: 'Ana' });
    expect(applySnippet('Hello /bye', token, body)).toEqual({ text: 'Hello Bye from Tom!', caret: 19 });
  });
});

describe('describeBrowser', () => {
  it('names the browser and system, and says Unknown without a user agent', () => {
    expect(
      describeBrowser(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome 131 on macOS');
    expect(describeBrowser('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe(
      'Firefox 128 on Linux',
    );
    expect(describeBrowser('')).toBe('Unknown');
  });
});
