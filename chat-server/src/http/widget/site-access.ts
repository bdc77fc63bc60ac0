/**
 * The steps both widget endpoints share: find the site by its public key, check the page's Origin
 * against the site's allowed domains, refuse an archived client's site, and count the request
 * against the caller's IP.
 */
import type { IncomingMessage } from 'node:http';
import type { AppContext } from '../../context.ts';
import { findSiteByKey, type SiteProblemReporter } from '../../sites/queries.ts';
import type { Site } from '../../sites/types.ts';
import { clientIp } from '../client-ip.ts';
import { corsHeaders, headerOf } from '../cors.ts';
import { hostAllowed, originHost } from '../origin.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { HttpError } from '../respond.ts';

export async function requireSite(
  app: AppContext,
  siteKey: string,
  reportProblems: SiteProblemReporter,
): Promise<Site> {
  const site = await findSiteByKey(app.sql, siteKey, reportProblems);
  if (!site) throw new HttpError(404, 'not_found', 'Unknown site key', { vary: 'Origin' });
  return site;
}

/**
 * Refuses a site whose client the firm archived: its history stays (history, analytics, invoicing),
 * but it takes no new chats. Called after the Origin check, so the client's own page gets CORS
 * headers and the widget can read why.
 */
export function refuseArchived(site: Site): void {
  if (!site.clientArchived) return;
  throw new HttpError(
    403,
    'client_archived',
    `Site "${site.siteKey}" belongs to an archived client and takes no new chats; restore the client in the admin app to reopen it`,
  );
}

/**
 * Refuses a request whose Origin is not one of the site's allowed domains, naming both, so a client
 * who embedded the widget on a new domain sees at once what to add. `allowMissing` lets requests
 * without an Origin through (non-browser readers of the public config); a session never allows it.
 */
export function checkOrigin(req: IncomingMessage, site: Site, allowMissing: boolean): Record<string, string> {
  const origin = headerOf(req, 'origin');
  if (origin === undefined && allowMissing) return { vary: 'Origin' };
  if (origin === undefined) {
    throw new HttpError(
      403,
      'forbidden_origin',
      `The request has no Origin header; a widget session for site "${site.siteKey}" must come from one of its web pages`,
      { vary: 'Origin' },
    );
  }
  const host = originHost(origin);
  if (host === null || !hostAllowed(host, site.allowedDomains)) {
    throw new HttpError(
      403,
      'forbidden_origin',
      `Origin "${origin.slice(0, 200)}" is not allowed for site "${site.siteKey}"; add its host to the site's allowed domains`,
      { vary: 'Origin' },
    );
  }
  return corsHeaders(origin, site.allowedDomains);
}

export async function enforceRateLimit(
  app: AppContext,
  limiter: RateLimiter,
  req: IncomingMessage,
  what: string,
): Promise<void> {
  const ip = clientIp(req, app.config.trustProxy);
  const verdict = await limiter.consume(ip);
  if (!verdict.allowed) {
    throw new HttpError(
      429,
      'rate_limited',
      `Too many ${what} from this address; retry in ${verdict.retryAfterSeconds} s`,
      { 'retry-after': String(verdict.retryAfterSeconds) },
    );
  }
}

/** Adds `headers` (CORS) to an HttpError thrown by `fn`, so the widget can read the error body. */
export async function withHeaders<T>(headers: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof HttpError) {
      throw new HttpError(error.status, error.code, error.message, { ...headers, ...error.headers });
    }
    throw error;
  }
}

/** Logs a site's invalid settings once per instance per distinct problem list, not on every request. */
export function siteProblemLogger(app: AppContext): SiteProblemReporter {
  const seen = new Map<string, string>();
  return (siteId, problems) => {
    const text = problems.join('\n');
    if (seen.get(siteId) === text) return;
    seen.set(siteId, text);
    app.log.warn({ site: siteId, problems }, 'site settings have invalid entries; they were dropped');
  };
}
