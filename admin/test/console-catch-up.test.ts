/**
 * The console's catch-up after a reconnect (catch-up.ts): the fresh read replaces what the gap may
 * have made stale, live frames that came in during the read win over it; and the token expiry the
 * socket schedules its refresh by (jwt-expiry.ts); and offer cards taking the preview a later
 * `queue` frame carries (offer-entries.ts).
 */
import type { QueueEntry } from '@chat/shared';
import { describe, expect, it } from 'vitest';
import { emptyChanged, mergeOffers, mergeQueues } from '../src/lib/console/catch-up.ts';
import type { OfferView } from '../src/lib/console/feed.ts';
import { jwtExpiry } from '../src/lib/console/jwt-expiry.ts';
import { withFreshEntries } from '../src/lib/console/offer-entries.ts';

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

describe('withFreshEntries', () => {
  it("fills in an offer's first message from a later queue entry of the same conversation", () => {
    const early = { ...offer('o1'), entry: { ...entry('c-o1'), firstMessage: '' } };
    const other = offer('o2');
    const later = { ...entry('c-o1'), firstMessage: 'Is my refund on its way?', position: 3 };
    const result = withFreshEntries([early, other], [entry('c-x'), later]);
    expect(result.map((o) => o.offerId)).toEqual(['o1', 'o2']);
    expect(result[0]?.entry).toEqual(later);
    expect(result[0]?.expiresAt).toBe(early.expiresAt);
    expect(result[1]).toBe(other);
  });

  it('returns the same array when no entry matches an offer (no needless re-render)', () => {
    const offers = [offer('o1')];
    expect(withFreshEntries(offers, [entry('c-other')])).toBe(offers);
    expect(withFreshEntries(offers, [])).toBe(offers);
  });
});
