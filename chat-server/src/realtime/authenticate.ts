/**
 * Turns a verified token (and the page's Origin) into a Principal, before the upgrade completes.
 * Visitor tokens are ours (audience chat-visitor) and name visitor, site, client and org; the Origin
 * must be one of the site's allowed domains. Any other token is a Supabase access token: verified
 * (signature, audience, expiry), the user's active membership in the organization the handshake
 * names (`org`; their first one without it) loaded, and the Origin must be one of ADMIN_ORIGINS.
 * Each failure maps to its close code.
 */
import { CloseCode } from '@chat/shared';
import jwt from 'jsonwebtoken';
import { TokenError } from '../auth/errors.ts';
import type { AppContext } from '../context.ts';
import { originAllowed } from '../http/origin.ts';
import { getSite, isUuid } from '../sites/queries.ts';
import { getVisitor } from '../visitors/queries.ts';
import { intern } from './intern.ts';
import { type MembershipRights, membershipRights } from './membership.ts';
import type { AgentPrincipal, Principal, VisitorPrincipal } from './principal.ts';

export type AuthResult = { ok: true; principal: Principal } | { ok: false; code: CloseCode; reason: string };

const VISITOR_AUDIENCE = 'chat-visitor';

export async function authenticate(
  app: AppContext,
  token: string,
  origin: string | undefined,
  /** The `org` handshake parameter as given; agents only (visitors' tokens name their org). */
  org?: string,
): Promise<AuthResult> {
  try {
    return isVisitorToken(token) ? await visitor(app, token, origin) : await agent(app, token, origin, org);
  } catch (error) {
    if (error instanceof TokenError) {
      return error.reason === 'expired'
        ? { ok: false, code: CloseCode.TOKEN_EXPIRED, reason: 'token_expired' }
        : { ok: false, code: CloseCode.UNAUTHORIZED, reason: 'unauthorized' };
    }
    throw error;
  }
}

/** Routing only: which verifier to use. The chosen verifier checks everything itself. */
function isVisitorToken(token: string): boolean {
  const decoded = jwt.decode(token, { json: true });
  return decoded?.aud === VISITOR_AUDIENCE;
}

async function visitor(app: AppContext, token: string, origin: string | undefined): Promise<AuthResult> {
  const claims = app.visitorTokens.verify(token);
  const [row, site] = await Promise.all([getVisitor(app.sql, claims.sub), getSite(app.sql, claims.site)]);
  if (!row || !site || row.orgId !== claims.org || row.siteId !== claims.site || site.orgId !== claims.org) {
    return { ok: false, code: CloseCode.UNAUTHORIZED, reason: 'unknown visitor' };
  }
  if (!originAllowed(origin, site.allowedDomains)) {
    return { ok: false, code: CloseCode.FORBIDDEN_ORIGIN, reason: 'forbidden_origin' };
  }
  const principal: VisitorPrincipal = {
    kind: 'visitor',
    visitorId: row.id,
    // Shared by every visitor of a site: one copy each (intern.ts).
    orgId: intern(row.orgId),
    clientId: intern(row.clientId),
    siteId: intern(row.siteId),
    name: row.name,
    email: row.email,
    exp: claims.exp,
  };
  return { ok: true, principal };
}

interface MembershipRow extends MembershipRights {
  display_name: string;
}

async function agent(
  app: AppContext,
  token: string,
  origin: string | undefined,
  org: string | undefined,
): Promise<AuthResult> {
  const claims = await app.agentTokens.verify(token);
  if (!adminOriginAllowed(origin, app.config.adminOrigins)) {
    return { ok: false, code: CloseCode.FORBIDDEN_ORIGIN, reason: 'forbidden_origin' };
  }
  if (org !== undefined && !isUuid(org)) {
    return { ok: false, code: CloseCode.BAD_HANDSHAKE, reason: 'org must be an organization id (a UUID)' };
  }
  // A user in several organizations works in one at a time: the admin app names the one its
  // organization switcher has selected (`org`). Without it (older clients) they get the one they
  // joined first, as before the switcher existed.
  const [m] = await app.sql<MembershipRow[]>`
    select ${membershipRights(app.sql)}, m.display_name
    from public.org_members m
    where m.user_id = ${claims.sub} and m.active
      ${org === undefined ? app.sql`` : app.sql`and m.org_id = ${org}`}
    order by m.created_at, m.org_id
    limit 1`;
  if (!m) {
    // The same answer whether the organization exists or not: ids cannot be probed.
    const reason = org === undefined ? 'no active membership' : 'not an active member of that organization';
    return { ok: false, code: CloseCode.UNAUTHORIZED, reason };
  }
  const principal: AgentPrincipal = {
    kind: 'agent',
    userId: claims.sub,
    orgId: m.org_id,
    role: m.role,
    clientId: m.client_id,
    name: m.display_name || claims.email || '',
    groupIds: m.group_ids,
    claims,
    exp: claims.exp,
  };
  return { ok: true, principal };
}

/** ADMIN_ORIGINS lists full origins (scheme, host, port); compare them normalized. */
function adminOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  const normalized = normalizeOrigin(origin);
  return normalized !== null && allowed.some((a) => normalizeOrigin(a) === normalized);
}

function normalizeOrigin(origin: string | undefined): string | null {
  if (!origin || origin === 'null') return null;
  try {
    return new URL(origin).origin;
  } catch {
    return null;
  }
}
