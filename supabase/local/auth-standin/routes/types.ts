/** The shape every route module exports. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteContext } from '../config.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => Promise<void>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A path such as `/admin/users/:id`; `:name` segments arrive in `ctx.params`. */
  path: string;
  handler: Handler;
}
