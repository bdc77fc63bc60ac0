/**
 * What to do after the socket closed, by close code: the same answers as `reconnectPolicy` from
 * `@chat/shared` (test/close-policy.test.ts checks every code), as a table of the codes that are
 * not `backoff`. Importing the shared one would also bring the whole codes module, error-code
 * table included (~0.4 KB gzip the size budget cannot spare).
 */
import type { ReconnectPolicy } from '@chat/shared';

const NOT_BACKOFF: Readonly<Record<number, ReconnectPolicy>> = {
  1000: 'never',
  4000: 'never',
  4001: 'refresh_token',
  4003: 'never',
  4004: 'never',
  4005: 'now',
  4010: 'never',
  4012: 'now',
  4013: 'now',
  4014: 'never',
};

export function closePolicy(code: number): ReconnectPolicy {
  return NOT_BACKOFF[code] ?? 'backoff';
}
