/**
 * auth.refresh (agents): the app's session was refreshed, so the connection moves to the new
 * access token instead of being closed with 4001 when the old one expires (an hourly reconnect
 * of every console, and offers, queue and presence frames lost in each gap).
 *
 * The token is verified like the connection's own (signature, audience, expiry) and must name the
 * same user, still an active member of the connection's organization with the same role, client
 * and groups: the connection's rights were read at connect, and a refresh must not keep stale ones
 * alive past the old token (then 4001 and the reconnect read them afresh). Refusals change nothing.
 */
import type { AgentClaims } from '../../auth/agent-token.ts';
import { TokenError } from '../../auth/errors.ts';
import { FrameError } from '../frame-error.ts';
import { sameMembership } from '../membership.ts';
import type { HandlerFactory } from './types.ts';

export const authRefreshHandler: HandlerFactory<'auth.refresh'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (p.kind !== 'agent') throw new FrameError('unauthorized', 'Only agents refresh their token');
  let claims: AgentClaims;
  try {
    claims = await deps.app.agentTokens.verify(frame.token);
  } catch (error) {
    if (error instanceof TokenError) throw new FrameError('invalid_token', error.message);
    throw error;
  }
  if (claims.sub !== p.userId) {
    throw new FrameError('forbidden', 'This token belongs to another user; a connection keeps its user');
  }
  if (!(await sameMembership(deps.app.sql, p))) {
    throw new FrameError(
      'forbidden',
      'Your membership in this organization changed; reconnect to pick up your current access',
    );
  }
  if (!deps.renewExpiry(session, claims.exp)) {
    // Verified as unexpired a moment ago, so the connection itself has just ended (or the token
    // expires this very second): nothing to move.
    throw new FrameError('invalid_token', 'The token has expired');
  }
  // RLS checks made for this connection (asUser) replay the current token's claims.
  p.claims = claims;
};
