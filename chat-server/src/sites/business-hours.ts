/** Whether a site is open, from its weekly opening hours in its own time zone. */
import { clockMinutes, localTime } from './local-time.ts';
import { type BusinessHours, WEEKDAYS, type Weekday } from './types.ts';

/**
 * True when `now` falls in one of the site's opening periods. An empty object means always open
 * (most sites staff chat around the clock); a day that is missing or empty is closed. A period
 * whose close is not after its open runs past midnight: Friday 22:00→02:00 covers Saturday 01:00.
 */
export function isOpenAt(hours: BusinessHours, timeZone: string, now: Date): boolean {
  if (Object.keys(hours).length === 0) return true;
  const { weekday, minutes } = localTime(now, timeZone);
  for (const p of hours[weekday] ?? []) {
    const open = clockMinutes(p.open);
    const close = clockMinutes(p.close);
    if (open < close ? minutes >= open && minutes < close : minutes >= open) return true;
  }
  // Yesterday's overnight periods that have not closed yet.
  for (const p of hours[previousDay(weekday)] ?? []) {
    const open = clockMinutes(p.open);
    const close = clockMinutes(p.close);
    if (close <= open && minutes < close) return true;
  }
  return false;
}

function previousDay(day: Weekday): Weekday {
  const i = WEEKDAYS.indexOf(day);
  return WEEKDAYS[(i + 6) % 7] as Weekday;
}
