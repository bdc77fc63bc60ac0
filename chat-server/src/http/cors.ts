/**
 * CORS for the widget's endpoints. The widget runs on the client's own pages, so a browser sends
 * the page's Origin; we echo it back only when it belongs to the site (exact host or wildcard,
 * src/http/origin.ts), never `*`, and always say `Vary: Origin` so caches keep answers apart.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { originAllowed, originHost } from './origin.ts';

/** Headers that let the page at `origin` read the answer, or only `Vary` when it is not allowed. */
export function corsHeaders(
  origin: string | undefined,
  allowedDomains: readonly string[],
): Record<string, string> {
  if (!origin || !originAllowed(origin, allowedDomains)) return { vary: 'Origin' };
  // Retry-After is not a CORS-safelisted response header: without this the widget cannot read it on a 429.
  return {
    vary: 'Origin',
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'Retry-After',
  };
}

/**
 * Answers a preflight (OPTIONS). The widget sends `content-type: application/json` on POST, which
 * makes browsers ask first. An origin `allow` refuses gets 204 without Allow-Origin headers: the
 * browser then blocks the real request itself (and the real request would get a 403 anyway).
 */
export function answerPreflight(
  req: IncomingMessage,
  res: ServerResponse,
  methods: string,
  allow: (origin: string) => boolean,
): void {
  const origin = headerOf(req, 'origin');
  const headers: Record<string, string> = { vary: 'Origin', 'content-length': '0' };
  if (origin && originHost(origin) !== null && allow(origin)) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-methods'] = methods;
    headers['access-control-allow-headers'] = 'content-type';
    headers['access-control-max-age'] = '600';
  }
  res.writeHead(204, headers);
  res.end();
}

export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
