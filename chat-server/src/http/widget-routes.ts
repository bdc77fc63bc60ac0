/**
 * The widget's HTTP endpoints: GET /v1/widget/config and POST /v1/widget/session (see HTTP.md).
 * Owns the per-IP rate limiters of both, which share counts through Redis when REDIS_URL is set;
 * close() releases their Redis connections on shutdown.
 */
import type { AppContext } from '../context.ts';
import { createRateLimiter } from './rate-limit.ts';
import type { Route } from './router.ts';
import { configRoutes } from './widget/config-route.ts';
import { sessionRoutes } from './widget/session-route.ts';
import { siteProblemLogger } from './widget/site-access.ts';

export interface WidgetRoutes {
  routes: Route[];
  close(): Promise<void>;
}

export function createWidgetRoutes(app: AppContext): WidgetRoutes {
  const { config } = app;
  const log = app.log.child({ module: 'widget-http' });
  const sessionLimiter = createRateLimiter({
    keyPrefix: 'rl:widget-session',
    points: config.widgetSessionRateLimit,
    windowSeconds: config.widgetRateWindowSeconds,
    redisUrl: config.redisUrl,
    log,
  });
  const configLimiter = createRateLimiter({
    keyPrefix: 'rl:widget-config',
    points: config.widgetConfigRateLimit,
    windowSeconds: config.widgetRateWindowSeconds,
    redisUrl: config.redisUrl,
    log,
  });
  const reportProblems = siteProblemLogger(app);
  return {
    routes: [
      ...configRoutes(app, { limiter: configLimiter, reportProblems }),
      ...sessionRoutes(app, { limiter: sessionLimiter, reportProblems }),
    ],
    async close() {
      await Promise.all([sessionLimiter.close(), configLimiter.close()]);
    },
  };
}
