/** chooseGroup and parseRoutingRules: topic first, then the site's rules in order, then the default group. */
import { describe, expect, it } from 'vitest';
import { chooseGroup, parseRoutingRules, primaryLanguage } from '../src/routing/group-choice.ts';

const G = {
  billing: '50000000-0000-4000-8000-0000000000b1',
  german: '50000000-0000-4000-8000-0000000000d1',
  urlRule: '50000000-0000-4000-8000-0000000000e1',
  fallback: '50000000-0000-4000-8000-0000000000f1',
};
const site = { topics: [{ label: 'Billing', groupId: G.billing }], defaultGroupId: G.fallback };
const rules = parseRoutingRules([
  { match: 'url', contains: '/Checkout', group_id: G.urlRule },
  { match: 'language', equals: 'de', group_id: G.german },
  { match: 'url', contains: '', group_id: G.urlRule },
  { match: 'weather', equals: 'rain', group_id: G.german },
  { match: 'language', equals: 'fr', group_id: 'not-a-uuid' },
  'nonsense',
]);

describe('parseRoutingRules', () => {
  it('keeps well-formed rules in order and drops the rest', () => {
    expect(rules).toEqual([
      { match: 'url', contains: '/Checkout', groupId: G.urlRule },
      { match: 'language', equals: 'de', groupId: G.german },
    ]);
    expect(parseRoutingRules({ not: 'an array' })).toEqual([]);
  });
});

describe('chooseGroup', () => {
  it('uses the topic’s group, matching the label without regard to case', () => {
    expect(chooseGroup(site, rules, { topic: ' billing ', url: '/checkout', language: 'de' })).toEqual({
      groupId: G.billing,
      topic: 'Billing',
      reason: 'topic',
    });
  });

  it('falls back to the first matching rule: URL contains (case-insensitive), then language', () => {
    expect(
      chooseGroup(site, rules, { topic: '', url: 'https://x.test/checkout/pay', language: 'de' }).groupId,
    ).toBe(G.urlRule);
    expect(
      chooseGroup(site, rules, { topic: '', url: 'https://x.test/home', language: 'de-AT' }),
    ).toMatchObject({
      groupId: G.german,
      reason: 'rule',
    });
  });

  it('keeps an unknown topic as the visitor’s words and goes to the default group', () => {
    expect(chooseGroup(site, rules, { topic: 'Something else', url: '', language: 'en' })).toEqual({
      groupId: G.fallback,
      topic: 'Something else',
      reason: 'default',
    });
  });
});

describe('primaryLanguage', () => {
  it('reduces a BCP 47 tag to its lower-case primary subtag', () => {
    expect(primaryLanguage('pt-BR')).toBe('pt');
    expect(primaryLanguage('DE_at')).toBe('de');
    expect(primaryLanguage('')).toBe('');
  });
});
