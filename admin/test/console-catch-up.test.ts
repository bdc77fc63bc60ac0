/**
 * The console's catch-up after a reconnect (catch-up.ts): the fresh read replaces what the gap may
 * have made stale, live frames that came in during the read win over it; and the token expiry the
 * socket schedules its refresh by (jwt-expiry.ts).
 */
import type { QueueEntry } from '@chat/shared';
import { describe, expect, it } from 'vitest';
import { emptyChanged, mergeOffers, mergeQueues } from '../src/lib/console/catch-up.ts';
import type { OfferView } from '../src/lib/console/feed.ts';
import { jwtExpiry } from '../src/lib/console/jwt-expiry.ts';

const entry = (conversationId: string, groupId: string | null = 'g1'): QueueEntry => ({
  conversationId,
  groupId,
  position: 1,
  queuedAt: '2026-11-21T09:30:00.000Z',
  topic: '',
  visitor: { id: conversationId, name: 'Ana', email: '' },
  pageUrl: '',
  pageTitle: '',
  firstMessage: 'Hello',
  language: 'en',
});

const offer = (offerId: string, from = ''): OfferView => ({
  offerId,
  kind: 'assignment',
  expiresAt: '2026-11-21T09:31:00.000Z',
  entry: entry(`c-${offerId}`),
  note: '',
  from,
});

describe('mergeOffers', () => {
  it('adds offers missed in the gap, drops those no longer pending, keeps the live copy of the rest', () => {
    const current = [offer('kept', 'Aiko'), offer('expired')];
    const { offers, added } = mergeOffers(current, [offer('kept'), offer('missed')], emptyChanged());
    expect(offers.map((o) => [o.offerId, o.from])).toEqual([
      ['kept', 'Aiko'],
      ['missed', ''],
    ]);
    expect(added.map((o) => o.offerId)).toEqual(['missed']);
  });

  it('lets live frames that arrived during the read win', () => {
    const changed = emptyChanged();
    changed.offersArrived.add('live');
    changed.offersGone.add('revoked');
    const { offers, added } = mergeOffers([offer('live')], [offer('revoked')], changed);
    expect(offers.map((o) => o.offerId)).toEqual(['live']);
    expect(added).toEqual([]);
  });
});

describe('mergeQueues', () => {
  it('takes the read per group, empties groups it no longer lists, keeps groups a live frame replaced', () => {
    const current = new Map([
      ['g1', [entry('old1')]],
      ['g2', [entry('live2', 'g2')]],
      ['g3', [entry('gone3', 'g3')]],
    ]);
    const changed = emptyChanged();
    changed.queues.add('g2');
    const next = mergeQueues(
      current,
      [entry('new1'), entry('read2', 'g2'), entry('unrouted', null)],
      changed,
    );
    expect(Object.fromEntries([...next].map(([k, v]) => [k, v.map((e) => e.conversationId)]))).toEqual({
      g1: ['new1'],
      g2: ['live2'],
      '': ['unrouted'],
    });
  });
});

describe('jwtExpiry', () => {
  const token = (payload: object) =>
    `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

  it('reads exp from the payload (base64url, unpadded, non-ASCII claims)', () => {
    expect(jwtExpiry(token({ sub: 'x', name: 'Zoë ✓', exp: 1795260716 }))).toBe(1795260716);
  });

  it('is null for a token without a numeric exp, or not a token at all', () => {
    expect(jwtExpiry(token({ sub: 'x' }))).toBeNull();
    expect(jwtExpiry(token({ exp: '1795260716' }))).toBeNull();
    expect(jwtExpiry('not-a-jwt')).toBeNull();
    expect(jwtExpiry('a.%%%.c')).toBeNull();
    expect(jwtExpiry('')).toBeNull();
  });
});
