/**
 * Opening a visitor session: a new visitor, or the same visitor again when the widget brings a
 * valid token of this site. Transport-free: the HTTP route checks Origin and limits, this module
 * decides who the visitor is and signs the token.
 */

import { TokenError } from '../auth/errors.ts';
import type { VisitorTokens } from '../auth/visitor-token.ts';
import type { Sql } from '../db/sql.ts';
import type { Site } from '../sites/types.ts';
import { insertVisitor, latestOpenConversationId, touchVisitor, type Visitor } from './queries.ts';

export interface SessionInput {
  /** A visitor token from an earlier session, to resume that visitor. */
  token?: string;
  locale?: string;
  userAgent?: string;
}

export interface VisitorSession {
  token: string;
  expiresAt: Date;
  visitor: Visitor;
  /** True when `token` named an existing visitor of this site. */
  resumed: boolean;
  /** The visitor's latest conversation that is not closed, to rejoin after a reload. */
  openConversationId: string | null;
}

/** Why a resume was refused; the route maps it to 401 `unauthorized` or `token_expired`. */
export class SessionTokenError extends Error {
  constructor(
    readonly reason: 'invalid' | 'expired' | 'other_site' | 'unknown_visitor',
    message: string,
  ) {
    super(message);
    this.name = 'SessionTokenError';
  }
}

export async function openVisitorSession(
  deps: { sql: Sql; visitorTokens: VisitorTokens },
  site: Site,
  input: SessionInput,
): Promise<VisitorSession> {
  let visitor: Visitor;
  let resumed = false;
  if (input.token !== undefined) {
    const claims = verifyForSite(deps.visitorTokens, input.token, site);
    const found = await touchVisitor(deps.sql, claims.sub, site.id, {
      locale: input.locale,
      userAgent: input.userAgent,
    });
    if (!found) {
      throw new SessionTokenError(
        'unknown_visitor',
        'The visitor token names a visitor that no longer exists',
      );
    }
    visitor = found;
    resumed = true;
  } else {
    visitor = await insertVisitor(deps.sql, {
      orgId: site.orgId,
      clientId: site.clientId,
      siteId: site.id,
      locale: input.locale,
      userAgent: input.userAgent,
    });
  }
  // A fresh token on every session: an active visitor never reaches the expiry.
  const { token, expiresAt } = deps.visitorTokens.sign({
    sub: visitor.id,
    org: visitor.orgId,
    client: visitor.clientId,
    site: visitor.siteId,
  });
  const openConversationId = resumed ? await latestOpenConversationId(deps.sql, visitor.id) : null;
  return { token, expiresAt, visitor, resumed, openConversationId };
}

function verifyForSite(tokens: VisitorTokens, token: string, site: Site) {
  let claims: ReturnType<VisitorTokens['verify']>;
  try {
    claims = tokens.verify(token);
  } catch (error) {
    if (error instanceof TokenError && error.reason === 'expired') {
      throw new SessionTokenError('expired', 'The visitor token has expired; start a new session without it');
    }
    throw new SessionTokenError('invalid', 'The visitor token is invalid; start a new session without it');
  }
  if (claims.site !== site.id || claims.org !== site.orgId) {
    throw new SessionTokenError(
      'other_site',
      `The visitor token belongs to another site, not "${site.siteKey}"`,
    );
  }
  return claims;
}
