import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIp } from '../src/http/client-ip.ts';
import { corsHeaders } from '../src/http/cors.ts';
import { createRateLimiter } from '../src/http/rate-limit.ts';
import { type RedisServer, startRedisServer } from './helpers/redis-server.ts';

function fakeRequest(headers: Record<string, string>, remoteAddress = '::ffff:192.0.2.7'): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('clientIp', () => {
  it('uses the socket address, shortening IPv4-mapped IPv6, when no proxy is trusted', () => {
    expect(
      clientIp(fakeRequest({ 'x-forwarded-for': '203.0.113.9', 'fly-client-ip': '203.0.113.8' }), false),
    ).toBe('192.0.2.7');
    expect(clientIp(fakeRequest({}, '2001:DB8::1'), false)).toBe('2001:db8::1');
  });

  it('prefers Fly-Client-IP, then the first X-Forwarded-For address, behind a trusted proxy', () => {
    expect(
      clientIp(fakeRequest({ 'fly-client-ip': '203.0.113.8', 'x-forwarded-for': '203.0.113.9' }), true),
    ).toBe('203.0.113.8');
    expect(clientIp(fakeRequest({ 'x-forwarded-for': ' 203.0.113.9 , 10.0.0.1' }), true)).toBe('203.0.113.9');
    expect(clientIp(fakeRequest({}), true)).toBe('192.0.2.7');
  });

  it('ignores headers that are not IP addresses', () => {
    expect(clientIp(fakeRequest({ 'x-forwarded-for': 'evil; drop table' }), true)).toBe('192.0.2.7');
    expect(clientIp(fakeRequest({ 'fly-client-ip': 'x'.repeat(100) }), true)).toBe('192.0.2.7');
  });
});

describe('corsHeaders', () => {
  const domains = ['localhost', '*.acme.test'];
  it('echoes an allowed origin and always varies on Origin', () => {
    expect(corsHeaders('http://localhost:5173', domains)).toMatchObject({
      vary: 'Origin',
      'access-control-allow-origin': 'http://localhost:5173',
    });
    expect(corsHeaders('https://shop.acme.test', domains)['access-control-allow-origin']).toBe(
      'https://shop.acme.test',
    );
  });

  it('gives no Allow-Origin for other, bare-wildcard, missing or opaque origins', () => {
    for (const origin of ['https://evil.test', 'https://acme.test', undefined, 'null', 'file://x']) {
      expect(corsHeaders(origin, domains)).toEqual({ vary: 'Origin' });
    }
  });
});

describe('createRateLimiter', () => {
  it('allows `points` requests per key and window, then says when to retry', async () => {
    const limiter = createRateLimiter({ keyPrefix: 't-mem', points: 2, windowSeconds: 30 });
    expect(await limiter.consume('a')).toEqual({ allowed: true });
    expect(await limiter.consume('a')).toEqual({ allowed: true });
    const third = await limiter.consume('a');
    expect(third.allowed).toBe(false);
    expect(third.allowed === false && third.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(await limiter.consume('b')).toEqual({ allowed: true });
    await limiter.close();
  });

  describe('with Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('keeps limiting in memory while Redis is down', async () => {
      const limiter = createRateLimiter({
        keyPrefix: 't-redis',
        points: 2,
        windowSeconds: 30,
        redisUrl: redis.url,
      });
      try {
        await waitUntil(async () => (await limiter.consume('warmup')).allowed);
        await redis.stop();
        expect(await limiter.consume('c')).toEqual({ allowed: true });
        expect(await limiter.consume('c')).toEqual({ allowed: true });
        expect((await limiter.consume('c')).allowed).toBe(false);
      } finally {
        await limiter.close();
      }
    });
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
