/** POST /logout?scope=global|local|others: ends sessions, which deletes their refresh tokens. 204. */
import { badRequest } from '../errors.ts';
import { requireUser } from '../guards.ts';
import { endSessions } from '../sessions.ts';
import type { Handler, Route } from './types.ts';

const SCOPES = ['global', 'local', 'others'] as const;
type Scope = (typeof SCOPES)[number];

const logout: Handler = async (req, res, ctx) => {
  const { user, sessionId } = await requireUser(req, ctx);
  const requested = ctx.url.searchParams.get('scope') || 'global';
  if (!SCOPES.includes(requested as Scope)) {
    throw badRequest('validation_failed', `Unsupported logout scope "${requested}"`);
  }
  await endSessions(ctx.sql, user.id, sessionId, requested as Scope);
  res.writeHead(204).end();
};

export const logoutRoutes: Route[] = [{ method: 'POST', path: '/logout', handler: logout }];
