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
import type { Sql } from '../../db/sql.ts';
import { FrameError } from '../frame-error.ts';
import type { AgentPrincipal } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

interface MembershipRow {
  role: string;
  client_id: string | null;
  group_ids: string[];
}

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

/** Still an active member of the connection's organization, with the rights read at connect. */
async function sameMembership(sql: Sql, p: AgentPrincipal): Promise<boolean> {
  const [m] = await sql<MembershipRow[]>`
    select m.role, m.client_id,
           array(select gm.group_id from public.group_members gm
                 where gm.org_id = m.org_id and gm.user_id = m.user_id order by gm.group_id) as group_ids
    from public.org_members m
    where m.user_id = ${p.userId} and m.org_id = ${p.orgId} and m.active`;
  return (
    m !== undefined &&
    m.role === p.role &&
    m.client_id === p.clientId &&
    m.group_ids.join(',') === [...p.groupIds].join(',')
  );
}
