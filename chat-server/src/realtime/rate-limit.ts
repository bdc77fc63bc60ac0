/**
 * Frame rate limits per connection and per client IP (rate-limiter-flexible, in memory: each
 * instance guards itself). Over either limit the frame is dropped with `rate_limited`; a client
 * that keeps going after STRIKES_BEFORE_CLOSE of those is closed with 4029.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

const WINDOW_SECONDS = 10;
export const STRIKES_BEFORE_CLOSE = 20;

export interface FrameLimiter {
  /** Resolves true when the frame may be handled. */
  allow(connectionId: string, ip: string): Promise<boolean>;
  /** Forgets a closed connection (and clears its expiry timer). */
  forget(connectionId: string): void;
}

export function createFrameLimiter(limits: { perConnection: number; perIp: number }): FrameLimiter {
  const perConnection = new RateLimiterMemory({
    keyPrefix: 'conn',
    points: limits.perConnection,
    duration: WINDOW_SECONDS,
  });
  const perIp = new RateLimiterMemory({ keyPrefix: 'ip', points: limits.perIp, duration: WINDOW_SECONDS });
  return {
    async allow(connectionId, ip) {
      try {
        await perConnection.consume(connectionId);
        await perIp.consume(ip);
        return true;
      } catch (error) {
        if (error instanceof RateLimiterRes) return false;
        throw error;
      }
    },
    forget(connectionId) {
      void perConnection.delete(connectionId);
    },
  };
}
