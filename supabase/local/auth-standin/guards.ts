/**
 * Who is calling: GoTrue's requireAuthentication and requireAdminCredentials. The gateway adds
 * `Authorization: Bearer <apikey>` when a request has none, so the anon key arrives here as a valid JWT
 * without `sub` (403 `bad_jwt`), and the service_role key as an admin token.
 */
import type { IncomingMessage } from 'node:http';
import type { RouteContext } from './config.ts';
import { AuthApiError, badRequest, forbidden } from './errors.ts';
import { type Claims, verifyAccessToken } from './tokens.ts';
import { findUserById, isBanned, type UserRow } from './users.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Caller {
  claims: Claims;
  user: UserRow;
  /** The session the token belongs to; null for tokens minted without one. */
  sessionId: string | null;
}

function bearerToken(req: IncomingMessage): string {
  const match = /^[Bb]earer (\S+)$/.exec(req.headers.authorization ?? '');
  if (!match?.[1]) {
    throw new AuthApiError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  }
  return match[1];
}

/** Checks that a session named by a token still exists (it is gone after logout or a password change). */
async function requireLiveSession(ctx: RouteContext, claims: Claims): Promise<string | null> {
  const sessionId = claims.session_id;
  if (!sessionId || sessionId === '00000000-0000-0000-0000-000000000000') return null;
  if (!UUID.test(sessionId)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
  const [session] = await ctx.sql`select id from auth.sessions where id = ${sessionId}`;
  if (!session) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  return sessionId;
}

/** A signed-in user's token: the user and its session must still exist and the user must not be banned. */
export async function requireUser(req: IncomingMessage, ctx: RouteContext): Promise<Caller> {
  const claims = verifyAccessToken(ctx.config, bearerToken(req));
  if (!claims.sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!UUID.test(claims.sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await findUserById(ctx.sql, claims.sub);
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  const sessionId = await requireLiveSession(ctx, claims);
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  return { claims, user, sessionId };
}

/** A token whose `role` claim is an admin role (service_role); anything else is 403 `not_admin`. */
export async function requireAdmin(req: IncomingMessage, ctx: RouteContext): Promise<Claims> {
  const claims = verifyAccessToken(ctx.config, bearerToken(req));
  await requireLiveSession(ctx, claims);
  if (!ctx.config.adminRoles.includes(String(claims.role))) throw forbidden('not_admin', 'User not allowed');
  return claims;
}
