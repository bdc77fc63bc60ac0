/**
 * Routing: GoTrue's routes at the root (the gateway strips `/auth/v1`). Every failure becomes a GoTrue
 * error body; unexpected ones are logged and answered with a 500, never a crash.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type postgres from 'postgres';
import type { StandinConfig } from './config.ts';
import { AuthApiError, OAuthError } from './errors.ts';
import { sendError } from './respond.ts';
import { adminUserRoutes } from './routes/admin-users.ts';
import { generateLinkRoutes } from './routes/generate-link.ts';
import { inviteRoutes } from './routes/invite.ts';
import { logoutRoutes } from './routes/logout.ts';
import { recoverRoutes } from './routes/recover.ts';
import { settingsRoutes } from './routes/settings.ts';
import { signupRoutes } from './routes/signup.ts';
import { tokenRoutes } from './routes/token.ts';
import type { Handler, Route } from './routes/types.ts';
import { userRoutes } from './routes/user.ts';
import { verifyRoutes } from './routes/verify.ts';

const ROUTES: Route[] = [
  ...settingsRoutes,
  ...tokenRoutes,
  ...signupRoutes,
  ...userRoutes,
  ...logoutRoutes,
  ...recoverRoutes,
  ...inviteRoutes,
  ...verifyRoutes,
  ...adminUserRoutes,
  ...generateLinkRoutes,
];

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { method: route.method, pattern: new RegExp(`^${source}$`), names, handler: route.handler };
}

const COMPILED = ROUTES.map(compile);

/** A path parameter, percent-decoded; a malformed escape stays as sent (and then fails validation). */
function decodeSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}

/** Returns the request listener of the stand-in's HTTP server. */
export function createRequestHandler(sql: postgres.Sql, config: StandinConfig) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://auth.local');
      // chi treats `/user` and `/user/` alike; so do we.
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      const onPath = COMPILED.map((route) => ({ route, match: route.pattern.exec(path) })).filter(
        (r) => r.match,
      );
      const hit = onPath.find((r) => r.route.method === req.method);
      if (!hit?.match) {
        const allowed = onPath.map((r) => r.route.method);
        if (allowed.length > 0) res.setHeader('Allow', allowed.join(', '));
        throw allowed.length > 0
          ? new AuthApiError(
              405,
              'method_not_allowed',
              `${req.method} is not allowed on ${path}; use ${allowed.join(' or ')}`,
            )
          : new AuthApiError(
              404,
              'not_found',
              `${req.method} ${path} is not a route of the local auth stand-in`,
            );
      }
      const params = Object.fromEntries(
        hit.route.names.map((name, i) => [name, decodeSegment(hit.match?.[i + 1])]),
      );
      await hit.route.handler(req, res, { sql, config, url, params });
    } catch (error) {
      if (!(error instanceof AuthApiError) && !(error instanceof OAuthError)) {
        config.log(
          `[auth] unexpected error on ${req.method} ${req.url}: ${(error as Error)?.stack ?? error}`,
        );
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(req, res, error);
    }
  };
}
