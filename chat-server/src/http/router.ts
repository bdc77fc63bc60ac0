/**
 * A tiny router: the server has a handful of routes, each a method, a path and a handler. Handlers
 * throw HttpError for expected failures; anything else is logged and answered 500 without details.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { HttpError, sendError } from './respond.ts';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Values of `:name` segments in the route path. */
  params: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS' | 'HEAD';
  /** e.g. '/v1/files/:id' */
  path: string;
  handler: (ctx: RouteContext) => void | Promise<void>;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export function createRouter(routes: Route[], log: Logger) {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(part.slice(1));
        return '([^/]+)';
      })
      .join('/');
    return { ...route, pattern: new RegExp(`^${source}$`), names };
  });

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://chat-server');
    } catch {
      return sendError(res, new HttpError(400, 'bad_request', 'Malformed request URL'));
    }
    const matches = compiled.filter((r) => r.pattern.test(url.pathname));
    if (matches.length === 0) return sendError(res, new HttpError(404, 'not_found', 'No such route'));
    const route = matches.find(
      (r) => r.method === req.method || (req.method === 'HEAD' && r.method === 'GET'),
    );
    if (!route) {
      const allow = [...new Set(matches.map((r) => r.method))].join(', ');
      return sendError(res, new HttpError(405, 'method_not_allowed', `Use ${allow}`), { allow });
    }
    const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
    const params: Record<string, string> = {};
    try {
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(values[i] ?? '');
      });
      await route.handler({ req, res, url, params });
    } catch (error) {
      if (res.headersSent) {
        log.warn({ err: error, path: url.pathname }, 'error after the response started');
        res.destroy();
        return;
      }
      if (error instanceof HttpError) return sendError(res, error);
      if (error instanceof URIError)
        return sendError(res, new HttpError(400, 'bad_request', 'Malformed URL escape'));
      log.error({ err: error, method: req.method, path: url.pathname }, 'unhandled error in route');
      sendError(res, new HttpError(500, 'internal', 'Something went wrong on our side'));
    }
  };
}
