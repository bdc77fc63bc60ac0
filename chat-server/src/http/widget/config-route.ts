/**
 * GET /v1/widget/config?site=KEY: the public widget settings (see sites/public-config.ts).
 *
 * The settings are public, yet a browser Origin that is not one of the site's domains gets a 403:
 * answering it would only hide a misconfiguration (the session call would fail later, less
 * visibly). A request without Origin (curl, a server-side renderer) is answered: nothing in it is
 * secret.
 */
import type { AppContext } from '../../context.ts';
import { buildPublicConfig } from '../../sites/public-config.ts';
import { hasOnlineAgent, type SiteProblemReporter } from '../../sites/queries.ts';
import { answerPreflight } from '../cors.ts';
import { originAllowed } from '../origin.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { HttpError, sendJson } from '../respond.ts';
import type { Route } from '../router.ts';
import { checkOrigin, enforceRateLimit, refuseArchived, requireSite, withHeaders } from './site-access.ts';

export const WIDGET_CONFIG_PATH = '/v1/widget/config';

export function configRoutes(
  app: AppContext,
  deps: { limiter: RateLimiter; reportProblems: SiteProblemReporter; now?: () => Date },
): Route[] {
  const now = deps.now ?? (() => new Date());
  return [
    {
      method: 'GET',
      path: WIDGET_CONFIG_PATH,
      handler: async ({ req, res, url }) => {
        const key = url.searchParams.get('site');
        if (!key) {
          throw new HttpError(
            400,
            'bad_request',
            'Missing ?site= (the site key from the widget script tag)',
            {
              vary: 'Origin',
            },
          );
        }
        const site = await requireSite(app, key, deps.reportProblems);
        const cors = checkOrigin(req, site, true);
        const body = await withHeaders(cors, async () => {
          refuseArchived(site);
          await enforceRateLimit(app, deps.limiter, req, 'widget config requests');
          return buildPublicConfig(site, { now: now(), agentsOnline: await hasOnlineAgent(app.sql, site) });
        });
        sendJson(res, 200, body, cors);
      },
    },
    {
      method: 'OPTIONS',
      path: WIDGET_CONFIG_PATH,
      // A plain GET needs no preflight; answered anyway for widgets that add headers.
      handler: async ({ req, res, url }) => {
        const key = url.searchParams.get('site');
        const site = key ? await requireSite(app, key, deps.reportProblems) : null;
        answerPreflight(
          req,
          res,
          'GET',
          (origin) => site !== null && originAllowed(origin, site.allowedDomains),
        );
      },
    },
  ];
}
