import { describe, expect, it } from 'vitest';
import { isOpenAt } from '../src/sites/business-hours.ts';
import { greetingAt } from '../src/sites/greeting.ts';
import { inClockRange, localTime } from '../src/sites/local-time.ts';
import { parseSiteRow } from '../src/sites/parse-row.ts';
import { buildPublicConfig } from '../src/sites/public-config.ts';
import { groupForTopic } from '../src/sites/topics.ts';
import type { BusinessHours, Greeting } from '../src/sites/types.ts';

const at = (iso: string) => new Date(iso);

const GREETINGS: Greeting[] = [
  { from: '05:00', to: '12:00', text: 'morning' },
  { from: '12:00', to: '18:00', text: 'afternoon' },
  { from: '18:00', to: '05:00', text: 'evening' },
];

describe('localTime', () => {
  it('gives weekday and minute of day in the zone, across the date line', () => {
    // 2026-07-06 is a Monday. 23:30 UTC is already Tuesday 08:30 in Tokyo.
    expect(localTime(at('2026-07-06T23:30:00Z'), 'UTC')).toEqual({ weekday: 'mon', minutes: 23 * 60 + 30 });
    expect(localTime(at('2026-07-06T23:30:00Z'), 'Asia/Tokyo')).toEqual({
      weekday: 'tue',
      minutes: 8 * 60 + 30,
    });
    expect(localTime(at('2026-07-06T03:00:00Z'), 'America/New_York')).toEqual({
      weekday: 'sun',
      minutes: 23 * 60,
    });
  });

  it('reports midnight as minute 0, not 24:00', () => {
    expect(localTime(at('2026-07-06T22:00:00Z'), 'Europe/Berlin')).toEqual({ weekday: 'tue', minutes: 0 });
  });

  it('follows daylight saving time: the same UTC instant is an hour apart in summer and winter', () => {
    expect(localTime(at('2026-07-06T07:30:00Z'), 'Europe/Berlin').minutes).toBe(9 * 60 + 30);
    expect(localTime(at('2026-01-05T07:30:00Z'), 'Europe/Berlin').minutes).toBe(8 * 60 + 30);
    // Berlin springs forward on 2026-03-29 at 01:00 UTC (02:00 → 03:00 local).
    expect(localTime(at('2026-03-29T00:59:00Z'), 'Europe/Berlin').minutes).toBe(1 * 60 + 59);
    expect(localTime(at('2026-03-29T01:00:00Z'), 'Europe/Berlin').minutes).toBe(3 * 60);
  });
});

describe('inClockRange', () => {
  it('is half-open: includes the start, excludes the end', () => {
    expect(inClockRange(5 * 60, '05:00', '12:00')).toBe(true);
    expect(inClockRange(12 * 60, '05:00', '12:00')).toBe(false);
    expect(inClockRange(12 * 60 - 1, '05:00', '12:00')).toBe(true);
  });

  it('wraps past midnight when the end is before the start', () => {
    expect(inClockRange(23 * 60, '18:00', '05:00')).toBe(true);
    expect(inClockRange(0, '18:00', '05:00')).toBe(true);
    expect(inClockRange(4 * 60 + 59, '18:00', '05:00')).toBe(true);
    expect(inClockRange(5 * 60, '18:00', '05:00')).toBe(false);
    expect(inClockRange(17 * 60, '18:00', '05:00')).toBe(false);
  });

  it('treats 00:00→24:00 and equal ends as the whole day', () => {
    expect(inClockRange(0, '00:00', '24:00')).toBe(true);
    expect(inClockRange(1439, '00:00', '24:00')).toBe(true);
    expect(inClockRange(3, '09:00', '09:00')).toBe(true);
  });
});

describe('greetingAt', () => {
  it('picks the greeting for the local time of day', () => {
    // Berlin is UTC+2 in July.
    expect(greetingAt(GREETINGS, 'Europe/Berlin', at('2026-07-06T06:00:00Z'))).toBe('morning');
    expect(greetingAt(GREETINGS, 'Europe/Berlin', at('2026-07-06T10:00:00Z'))).toBe('afternoon');
    expect(greetingAt(GREETINGS, 'Europe/Berlin', at('2026-07-06T16:00:00Z'))).toBe('evening');
  });

  it('covers the midnight wrap of an evening greeting', () => {
    expect(greetingAt(GREETINGS, 'Europe/Berlin', at('2026-07-06T22:30:00Z'))).toBe('evening'); // 00:30
    expect(greetingAt(GREETINGS, 'Europe/Berlin', at('2026-07-07T02:59:00Z'))).toBe('evening'); // 04:59
    expect(greetingAt(GREETINGS, 'Europe/Berlin', at('2026-07-07T03:00:00Z'))).toBe('morning'); // 05:00
  });

  it('changes with daylight saving time at the same UTC instant', () => {
    // 03:30 UTC: 05:30 in Berlin in summer (morning), 04:30 in winter (still evening).
    expect(greetingAt(GREETINGS, 'Europe/Berlin', at('2026-07-06T03:30:00Z'))).toBe('morning');
    expect(greetingAt(GREETINGS, 'Europe/Berlin', at('2026-01-05T03:30:00Z'))).toBe('evening');
  });

  it('uses the site zone, not the server zone', () => {
    // 11:00 UTC is 07:00 in New York (morning) and 20:00 in Tokyo (evening).
    expect(greetingAt(GREETINGS, 'America/New_York', at('2026-07-06T11:00:00Z'))).toBe('morning');
    expect(greetingAt(GREETINGS, 'Asia/Tokyo', at('2026-07-06T11:00:00Z'))).toBe('evening');
  });

  it('answers null when no greeting covers the moment', () => {
    expect(
      greetingAt([{ from: '09:00', to: '10:00', text: 'x' }], 'UTC', at('2026-07-06T11:00:00Z')),
    ).toBeNull();
    expect(greetingAt([], 'UTC', at('2026-07-06T11:00:00Z'))).toBeNull();
  });
});

describe('isOpenAt', () => {
  const WEEKDAYS_8_TO_20: BusinessHours = {
    mon: [{ open: '08:00', close: '20:00' }],
    tue: [{ open: '08:00', close: '20:00' }],
    sat: [{ open: '10:00', close: '16:00' }],
  };

  it('is always open with no business hours', () => {
    expect(isOpenAt({}, 'Europe/Berlin', at('2026-07-05T03:00:00Z'))).toBe(true);
  });

  it('is open inside a period and closed outside it, on the local weekday', () => {
    expect(isOpenAt(WEEKDAYS_8_TO_20, 'Europe/Berlin', at('2026-07-06T06:00:00Z'))).toBe(true); // Mon 08:00
    expect(isOpenAt(WEEKDAYS_8_TO_20, 'Europe/Berlin', at('2026-07-06T05:59:00Z'))).toBe(false); // Mon 07:59
    expect(isOpenAt(WEEKDAYS_8_TO_20, 'Europe/Berlin', at('2026-07-06T18:00:00Z'))).toBe(false); // Mon 20:00
    expect(isOpenAt(WEEKDAYS_8_TO_20, 'Europe/Berlin', at('2026-07-05T10:00:00Z'))).toBe(false); // Sun 12:00
    expect(isOpenAt(WEEKDAYS_8_TO_20, 'Europe/Berlin', at('2026-07-11T09:00:00Z'))).toBe(true); // Sat 11:00
  });

  it('follows daylight saving time', () => {
    // Monday 06:30 UTC: 08:30 in Berlin in summer (open), 07:30 in winter (closed).
    expect(isOpenAt(WEEKDAYS_8_TO_20, 'Europe/Berlin', at('2026-07-06T06:30:00Z'))).toBe(true);
    expect(isOpenAt(WEEKDAYS_8_TO_20, 'Europe/Berlin', at('2026-01-05T06:30:00Z'))).toBe(false);
  });

  it('keeps an overnight period open past midnight into the next day', () => {
    const night: BusinessHours = { fri: [{ open: '22:00', close: '02:00' }] };
    expect(isOpenAt(night, 'UTC', at('2026-07-10T23:00:00Z'))).toBe(true); // Fri 23:00
    expect(isOpenAt(night, 'UTC', at('2026-07-11T01:59:00Z'))).toBe(true); // Sat 01:59
    expect(isOpenAt(night, 'UTC', at('2026-07-11T02:00:00Z'))).toBe(false); // Sat 02:00
    expect(isOpenAt(night, 'UTC', at('2026-07-10T01:00:00Z'))).toBe(false); // Fri 01:00: Thursday had none
  });

  it('handles a day closing at 24:00', () => {
    const late: BusinessHours = { mon: [{ open: '18:00', close: '24:00' }] };
    expect(isOpenAt(late, 'UTC', at('2026-07-06T23:59:00Z'))).toBe(true);
    expect(isOpenAt(late, 'UTC', at('2026-07-07T00:00:00Z'))).toBe(false);
  });
});

describe('parseSiteRow', () => {
  const row = {
    id: '40000000-0000-4000-8000-000000000009',
    org_id: 'o',
    client_id: 'c',
    name: 'example.test',
    site_key: 'example_key',
    allowed_domains: ['example.test'],
    widget_settings: { color: 'red; background: url(x)', position: 'left', launcherText: 'Hi', extra: 1 },
    greetings: [
      { from: '25:00', to: '12:00', text: 'bad' },
      { from: '00:00', to: '24:00', text: 'ok' },
      'junk',
    ],
    business_hours: { mon: [{ open: '9', close: '17:00' }], funday: [] },
    time_zone: 'Mars/Olympus_Mons',
    prechat_fields: [{ name: 'order', label: 'Order' }],
    topics: [{ label: 'Billing', group_id: 'not-a-uuid' }],
    default_group_id: null,
    client_archived: false,
  };

  it('keeps valid entries and describes every dropped one', () => {
    const { site, problems } = parseSiteRow(row);
    expect(site.greetings).toEqual([{ from: '00:00', to: '24:00', text: 'ok' }]);
    expect(site.widgetSettings).toEqual({ position: 'left', launcherText: 'Hi' });
    expect(site.businessHours).toEqual({ mon: [] });
    expect(site.timeZone).toBe('UTC');
    expect(site.prechatFields).toEqual([{ name: 'order', label: 'Order', type: 'text', required: false }]);
    expect(site.topics).toEqual([]);
    const text = problems.join('\n');
    expect(text).toMatch(/greetings\[0\] dropped/);
    expect(text).toMatch(/greetings\[2\] dropped/);
    expect(text).toMatch(/widget_settings\.color dropped/);
    expect(text).toMatch(/business_hours\.mon\[0\] dropped/);
    expect(text).toMatch(/business_hours\.funday dropped/);
    expect(text).toMatch(/time_zone "Mars\/Olympus_Mons" is unknown/);
    expect(text).toMatch(/topics\[0\] dropped/);
  });
});

describe('buildPublicConfig and groupForTopic', () => {
  const { site } = parseSiteRow({
    id: '40000000-0000-4000-8000-000000000009',
    org_id: '10000000-0000-4000-8000-000000000001',
    client_id: '30000000-0000-4000-8000-000000000001',
    name: 'example.test',
    site_key: 'example_key',
    allowed_domains: ['example.test'],
    widget_settings: { color: '#112233' },
    greetings: GREETINGS,
    business_hours: { mon: [{ open: '08:00', close: '20:00' }] },
    time_zone: 'Europe/Berlin',
    prechat_fields: [],
    topics: [{ label: 'Billing', group_id: '50000000-0000-4000-8000-000000000002' }],
    default_group_id: '50000000-0000-4000-8000-000000000001',
    client_archived: false,
  });

  it('is available only when open and an agent is online', () => {
    const mondayNoon = at('2026-07-06T10:00:00Z');
    const sunday = at('2026-07-05T10:00:00Z');
    expect(buildPublicConfig(site, { now: mondayNoon, agentsOnline: true })).toMatchObject({
      open: true,
      agentsOnline: true,
      available: true,
      greeting: 'afternoon',
    });
    expect(buildPublicConfig(site, { now: mondayNoon, agentsOnline: false }).available).toBe(false);
    expect(buildPublicConfig(site, { now: sunday, agentsOnline: true })).toMatchObject({
      open: false,
      available: false,
    });
  });

  it('falls back to the site name and defaults, and exposes topic labels without group ids', () => {
    const config = buildPublicConfig(site, { now: at('2026-07-06T10:00:00Z'), agentsOnline: false });
    expect(config.site).toEqual({ key: 'example_key', name: 'example.test', title: 'example.test' });
    expect(config.widget).toEqual({ color: '#112233', position: 'right', launcherText: null });
    expect(config.topics).toEqual([{ label: 'Billing' }]);
    expect(JSON.stringify(config)).not.toContain('50000000-');
    expect(JSON.stringify(config)).not.toContain('10000000-');
  });

  it('maps a topic label to its group, else to the default group', () => {
    expect(groupForTopic(site, 'Billing')).toEqual({
      groupId: '50000000-0000-4000-8000-000000000002',
      unknownTopic: false,
    });
    expect(groupForTopic(site, undefined)).toEqual({
      groupId: '50000000-0000-4000-8000-000000000001',
      unknownTopic: false,
    });
    expect(groupForTopic(site, 'Nope')).toEqual({
      groupId: '50000000-0000-4000-8000-000000000001',
      unknownTopic: true,
    });
  });
});
