/** Picks the greeting for the visitor's moment, in the site's time zone. */
import { inClockRange, localTime } from './local-time.ts';
import type { Greeting } from './types.ts';

/**
 * The text of the first greeting whose range contains `now` in `timeZone`, or null when none does
 * (the widget then shows its built-in default). Ranges may wrap midnight.
 */
export function greetingAt(greetings: readonly Greeting[], timeZone: string, now: Date): string | null {
  const { minutes } = localTime(now, timeZone);
  return greetings.find((g) => inClockRange(minutes, g.from, g.to))?.text ?? null;
}
