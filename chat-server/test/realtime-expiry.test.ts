/**
 * ExpiryWheel: one shared timer ends connections when their token expires (a second's
 * resolution), forgets closed ones, and does not tick while nothing waits.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiryWheel } from '../src/realtime/expiry.ts';
import type { Session } from '../src/realtime/session.ts';

const session = (id: string, exp: number) => ({ id, principal: { exp } }) as unknown as Session;
const now = () => Math.floor(Date.now() / 1000);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-21T10:00:00.250Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ExpiryWheel', () => {
  it('ends each session within a second of its exp, in order, and not before', () => {
    const ended: string[] = [];
    const wheel = new ExpiryWheel((s) => ended.push(s.id));
    expect(wheel.add(session('b', now() + 3))).toBe(true);
    expect(wheel.add(session('a', now() + 1))).toBe(true);
    expect(wheel.add(session('c', now() + 3.5))).toBe(true); // fractional exp: from the next second
    vi.advanceTimersByTime(700); // 10:00:00.950, before a's exp
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(1000); // 10:00:01.950
    expect(ended).toEqual(['a']);
    vi.advanceTimersByTime(2000); // 10:00:03.950
    expect(ended).toEqual(['a', 'b']);
    vi.advanceTimersByTime(1000);
    expect(ended).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses an already expired session and forgets a removed one', () => {
    const ended: string[] = [];
    const wheel = new ExpiryWheel((s) => ended.push(s.id));
    expect(wheel.add(session('old', now()))).toBe(false);
    const gone = session('gone', now() + 2);
    const kept = session('kept', now() + 2);
    wheel.add(gone);
    wheel.add(kept);
    wheel.remove(gone);
    vi.advanceTimersByTime(3000);
    expect(ended).toEqual(['kept']);
  });

  it('moves a session to a later expiry (auth.refresh), and refuses a past one or an unwatched session', () => {
    const ended: string[] = [];
    const wheel = new ExpiryWheel((s) => ended.push(s.id));
    const s = session('s', now() + 1);
    wheel.add(s);
    expect(wheel.move(s, now())).toBe(false);
    expect(wheel.move(session('stranger', now() + 1), now() + 5)).toBe(false);
    expect(wheel.move(s, now() + 3)).toBe(true);
    expect(s.principal.exp).toBe(now() + 3);
    vi.advanceTimersByTime(2000); // past the old exp
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(ended).toEqual(['s']);
    expect(wheel.move(s, now() + 10)).toBe(false); // already ended
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops its timer when no session waits, and restarts it for the next one', () => {
    const ended: string[] = [];
    const wheel = new ExpiryWheel((s) => ended.push(s.id));
    const s = session('s', now() + 60);
    wheel.add(s);
    expect(vi.getTimerCount()).toBe(1);
    wheel.remove(s);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(120_000);
    wheel.add(session('late', now() + 1));
    vi.advanceTimersByTime(2000);
    expect(ended).toEqual(['late']);
    wheel.add(session('x', now() + 5));
    wheel.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
