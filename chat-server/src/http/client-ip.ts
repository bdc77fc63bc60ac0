/**
 * The client's IP address, for per-IP limits. Behind Fly's proxy (or any load balancer) the socket
 * address is the proxy's, so the real one comes from a header, but only when TRUST_PROXY says a
 * proxy is in front: otherwise any client could send a fake header and dodge its limit.
 */
import type { IncomingMessage } from 'node:http';

/**
 * With `trustProxy`: `Fly-Client-IP` (set by Fly's edge, not forwardable by clients), else the
 * first address of `X-Forwarded-For` (the original client as the first proxy saw it), else the
 * socket address. Without it: always the socket address. IPv4-mapped IPv6 ("::ffff:1.2.3.4") is
 * shortened so one client has one key.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fly = headerValue(req.headers['fly-client-ip']);
    if (fly && isPlausibleIp(fly)) return normalize(fly);
    const forwarded = headerValue(req.headers['x-forwarded-for'])?.split(',')[0]?.trim();
    if (forwarded && isPlausibleIp(forwarded)) return normalize(forwarded);
  }
  return normalize(req.socket.remoteAddress ?? 'unknown');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/** Digits, hex, dots and colons only: a header with anything else is ignored, not used as a key. */
function isPlausibleIp(value: string): boolean {
  return value.length <= 45 && /^[0-9a-fA-F:.]+$/.test(value);
}

function normalize(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip.toLowerCase();
}
