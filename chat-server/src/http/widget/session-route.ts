/**
 * POST /v1/widget/session: creates a visitor (or resumes one from its token) and returns a visitor
 * token for the WebSocket. Steps, cheapest first: read and validate the body (≤ 8 KB), find the
 * site, check Origin, refuse an archived client's site, count the IP, then verify the old token and touch the database.
 *
 * An expired token is refused with 401 token_expired rather than silently replaced: the widget
 * must know its old conversation is gone, drop the token and call again without it.
 */
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import type { SiteProblemReporter } from '../../sites/queries.ts';
import { openVisitorSession, SessionTokenError } from '../../visitors/session.ts';
import { answerPreflight, headerOf } from '../cors.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { readJsonBody } from '../read-json.ts';
import { HttpError, sendJson } from '../respond.ts';
import type { Route } from '../router.ts';
import { checkOrigin, enforceRateLimit, refuseArchived, requireSite, withHeaders } from './site-access.ts';

export const WIDGET_SESSION_PATH = '/v1/widget/session';
export const MAX_SESSION_BODY_BYTES = 8 * 1024;

const SessionBody = z.strictObject({
  /** The public site key (the script tag's data-site). */
  site: z.string().min(1).max(64),
  /** A visitor token from an earlier session, to resume that visitor. */
  token: z.string().min(1).max(4096).optional(),
  /** The browser's language, e.g. "de-DE". */
  locale: z
    .string()
    .max(35)
    .regex(/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/, 'must be a language tag such as "de-DE"')
    .optional(),
  userAgent: z.string().max(1000).optional(),
});

export function sessionRoutes(
  app: AppContext,
  deps: { limiter: RateLimiter; reportProblems: SiteProblemReporter },
): Route[] {
  return [
    {
      method: 'POST',
      path: WIDGET_SESSION_PATH,
      handler: async ({ req, res }) => {
        const body = parseBody(await readJsonBody(req, MAX_SESSION_BODY_BYTES));
        const site = await requireSite(app, body.site, deps.reportProblems);
        const cors = checkOrigin(req, site, false);
        const session = await withHeaders(cors, async () => {
          refuseArchived(site);
          await enforceRateLimit(app, deps.limiter, req, 'visitor sessions');
          try {
            return await openVisitorSession(app, site, {
              token: body.token,
              locale: body.locale,
              // The header is what the browser really sent; the body may carry the widget's own idea.
              userAgent: (body.userAgent ?? headerOf(req, 'user-agent'))?.slice(0, 1000),
            });
          } catch (error) {
            throw error instanceof SessionTokenError ? toHttpError(error) : error;
          }
        });
        const { visitor } = session;
        sendJson(
          res,
          200,
          {
            token: session.token,
            expiresAt: session.expiresAt.toISOString(),
            resumed: session.resumed,
            visitor: { id: visitor.id, name: visitor.name, email: visitor.email },
            openConversationId: session.openConversationId,
          },
          cors,
        );
      },
    },
    {
      method: 'OPTIONS',
      path: WIDGET_SESSION_PATH,
      // A preflight names no site, so it cannot check the site's domains: it lets any http(s)
      // origin ask. It grants nothing: the POST itself is refused (403) for a foreign origin.
      handler: ({ req, res }) => {
        answerPreflight(req, res, 'POST', () => true);
      },
    },
  ];
}

function parseBody(raw: unknown) {
  const parsed = SessionBody.safeParse(raw);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) =>
    i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
  );
  throw new HttpError(400, 'bad_request', `Invalid session request: ${details.join('; ')}`, {
    vary: 'Origin',
  });
}

function toHttpError(error: SessionTokenError): HttpError {
  if (error.reason === 'expired') return new HttpError(401, 'token_expired', error.message);
  return new HttpError(401, 'unauthorized', error.message);
}
