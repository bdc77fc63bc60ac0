/** The widget's local close-code table answers exactly what the shared protocol says. */
import { CloseCode, reconnectPolicy } from '@chat/shared';
import { describe, expect, test } from 'vitest';
import { closePolicy } from '../src/connection/close-policy.ts';

describe('closePolicy', () => {
  test('matches reconnectPolicy for every protocol close code and the standard ones', () => {
    const codes = [...Object.values(CloseCode), 1000, 1001, 1006, 1009, 1011, 3000, 4999];
    for (const code of codes) expect(closePolicy(code), String(code)).toBe(reconnectPolicy(code));
  });
});
