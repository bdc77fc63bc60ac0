import { describe, expect, it } from 'vitest';
import { CLOSE_RECONNECT, CloseCode, ERROR_CODES, ErrorCode, reconnectPolicy } from './codes.ts';

describe('ErrorCode', () => {
  it('is a closed set of distinct snake_case codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(ERROR_CODES).toContain(ErrorCode.BAD_JSON);
  });
});

describe('CloseCode', () => {
  it('uses distinct codes in the application range 4000–4999', () => {
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toBeGreaterThanOrEqual(4000);
      expect(code).toBeLessThanOrEqual(4999);
    }
  });

  it('gives every close code a reconnect policy', () => {
    expect(Object.keys(CLOSE_RECONNECT).map(Number).sort()).toEqual(Object.values(CloseCode).sort());
  });
});

describe('reconnectPolicy', () => {
  it('refreshes the token after token_expired and reconnects at once after a restart', () => {
    expect(reconnectPolicy(CloseCode.TOKEN_EXPIRED)).toBe('refresh_token');
    expect(reconnectPolicy(CloseCode.SERVICE_RESTART)).toBe('now');
    expect(reconnectPolicy(CloseCode.ACCESS_CHANGED)).toBe('now');
    expect(reconnectPolicy(CloseCode.FORBIDDEN_ORIGIN)).toBe('never');
  });

  it('stops after a normal close and backs off after anything unknown', () => {
    expect(reconnectPolicy(1000)).toBe('never');
    expect(reconnectPolicy(1006)).toBe('backoff');
    expect(reconnectPolicy(4999)).toBe('backoff');
  });
});
