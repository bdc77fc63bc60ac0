/**
 * Wall-clock time in a site's time zone, through the built-in Intl API (no date library): the
 * runtime's time-zone database handles daylight-saving changes, so 07:30 UTC is 09:30 in Berlin in
 * July and 08:30 in January without any arithmetic here.
 */
import type { ClockTime, Weekday } from './types.ts';

export interface LocalTime {
  weekday: Weekday;
  /** Minutes since local midnight, 0…1439. */
  minutes: number;
}

const WEEKDAY_BY_SHORT_NAME: Record<string, Weekday> = {
  Sun: 'sun',
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
};

// Building a DateTimeFormat is costly (tens of microseconds); one per zone is enough.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The weekday and minute of the day at `now` in `timeZone` (an IANA zone; throws RangeError if unknown). */
export function localTime(now: Date, timeZone: string): LocalTime {
  let weekday: Weekday = 'sun';
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(now)) {
    if (part.type === 'weekday') weekday = WEEKDAY_BY_SHORT_NAME[part.value] ?? weekday;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minutes: hour * 60 + minute };
}

/** "HH:MM" → minutes since midnight; "24:00" → 1440 (the end of the day). */
export function clockMinutes(time: ClockTime): number {
  const [h, m] = time.split(':');
  return Number(h) * 60 + Number(m);
}

/**
 * Whether `minutes` falls in [from, to). A range whose end is not after its start wraps past
 * midnight (18:00→05:00 covers the evening and the early morning); from === to covers the whole day.
 */
export function inClockRange(minutes: number, from: ClockTime, to: ClockTime): boolean {
  const start = clockMinutes(from);
  const end = clockMinutes(to);
  if (start < end) return minutes >= start && minutes < end;
  return minutes >= start || minutes < end;
}
