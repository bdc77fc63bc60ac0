/**
 * Who is asking, and may they touch this conversation or attachment? Visitors prove themselves
 * with the visitor token this server signed; agents with their Supabase access token, and then
 * Postgres decides what they may see under RLS with their own claims (asUser), so the chat server
 * never shows an agent more than the admin app would. Anything the caller may not see answers
 * 404, exactly like something that does not exist, so ids cannot be probed.
 */
import type { IncomingMessage } from 'node:http';
import jwt from 'jsonwebtoken';
import type { AgentClaims } from '../auth/agent-token.ts';
import { TokenError } from '../auth/errors.ts';
import type { VisitorClaims } from '../auth/visitor-token.ts';
import type { AppContext } from '../context.ts';
import { asUser } from '../db/as-user.ts';
import { originAllowed } from '../http/origin.ts';
import { HttpError } from '../http/respond.ts';
import { isUuid } from './queries.ts';

export type Principal =
  | { kind: 'visitor'; id: string; claims: VisitorClaims }
  | { kind: 'agent'; id: string; claims: AgentClaims };

export interface ConversationAccess {
  id: string;
  orgId: string;
  status: 'queued' | 'active' | 'closed' | 'offline';
}

const notFound = (what: string) =>
  new HttpError(404, 'not_found', `No such ${what}, or you may not access it`);

/** Reads `Authorization: Bearer <token>`; a visitor token (audience chat-visitor) or an agent's. */
export async function authenticate(app: AppContext, req: IncomingMessage): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) {
    throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <visitor token or access token>');
  }
  const token = match[1];
  try {
    // The audience only routes to the right verifier; the verifier checks everything.
    const aud = jwt.decode(token, { json: true })?.aud;
    if (aud === 'chat-visitor' || (Array.isArray(aud) && aud.includes('chat-visitor'))) {
      const claims = app.visitorTokens.verify(token);
      return { kind: 'visitor', id: claims.sub, claims };
    }
    const claims = await app.agentTokens.verify(token);
    return { kind: 'agent', id: claims.sub, claims };
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    if (error.reason === 'expired') {
      throw new HttpError(401, 'token_expired', 'The token has expired; refresh it and try again');
    }
    throw new HttpError(401, 'unauthorized', error.message);
  }
}

/**
 * Checks the browser origin for this principal: visitors must come from one of their site's
 * allowed domains (the widget always runs in a browser, so Origin is required); agents from the
 * admin app's origins when a browser sends one. Returns the origin to echo in CORS headers.
 */
export async function checkOrigin(
  app: AppContext,
  principal: Principal,
  origin: string | undefined,
): Promise<string | null> {
  if (principal.kind === 'agent') {
    if (origin === undefined) return null;
    if (app.config.adminOrigins.includes(origin)) return origin;
    throw new HttpError(403, 'forbidden_origin', `Origin ${origin} may not act for agents`);
  }
  const domains = await siteDomains(app, principal.claims.site, principal.claims.org);
  if (origin === undefined) {
    throw new HttpError(
      403,
      'forbidden_origin',
      'Visitor uploads must come from a page of an allowed domain',
    );
  }
  if (!originAllowed(origin, domains)) {
    throw new HttpError(403, 'forbidden_origin', `Origin ${origin} is not an allowed domain of this site`);
  }
  return origin;
}

/** The allowed domains of a site (empty when it no longer exists). */
export async function siteDomains(app: AppContext, siteId: string, orgId?: string): Promise<string[]> {
  if (!isUuid(siteId)) return [];
  const rows = await app.sql<{ allowed_domains: string[] }[]>`
    select allowed_domains from public.sites where id = ${siteId} ${orgId ? app.sql`and org_id = ${orgId}` : app.sql``}`;
  return rows[0]?.allowed_domains ?? [];
}

/**
 * The conversation an upload goes to. A visitor may use only their own; an agent any that RLS
 * shows them, except a client_viewer, who may read but not write (403).
 */
export async function conversationForUpload(
  app: AppContext,
  principal: Principal,
  conversationId: string,
): Promise<ConversationAccess> {
  if (!isUuid(conversationId)) throw notFound('conversation');
  if (principal.kind === 'visitor') {
    const { sub, org, site } = principal.claims;
    const rows = await app.sql<{ id: string; org_id: string; status: ConversationAccess['status'] }[]>`
      select id, org_id, status from public.conversations
      where id = ${conversationId} and visitor_id = ${sub} and org_id = ${org} and site_id = ${site}`;
    const row = rows[0];
    if (!row) throw notFound('conversation');
    return { id: row.id, orgId: row.org_id, status: row.status };
  }
  const rows = await asUser(
    app.sql,
    principal.claims,
    (tx) => tx<{ id: string; org_id: string; status: ConversationAccess['status']; staff: boolean }[]>`
      select c.id, c.org_id, c.status, c.org_id in (select private.staff_org_ids()) as staff
      from public.conversations c where c.id = ${conversationId}`,
  );
  const row = rows[0];
  if (!row) throw notFound('conversation');
  if (!row.staff)
    throw new HttpError(403, 'forbidden', 'Client viewers can read conversations but not upload files');
  return { id: row.id, orgId: row.org_id, status: row.status };
}

/**
 * May this principal get a link to this attachment? Visitors: their own uploads, and files sent in
 * their conversation's messages (never in internal notes). Agents: what RLS lets them select.
 */
export async function canReadAttachment(
  app: AppContext,
  principal: Principal,
  attachmentId: string,
): Promise<void> {
  if (!isUuid(attachmentId)) throw notFound('attachment');
  if (principal.kind === 'visitor') {
    const { sub, org } = principal.claims;
    const rows = await app.sql`
      select 1 from public.attachments a
      join public.conversations c on c.id = a.conversation_id
      left join public.messages m on m.id = a.message_id
      where a.id = ${attachmentId} and c.visitor_id = ${sub} and c.org_id = ${org}
        and ((a.uploader_kind = 'visitor' and a.uploader_id = ${sub}) or (m.id is not null and m.sender_kind <> 'note'))`;
    if (rows.length === 0) throw notFound('attachment');
    return;
  }
  const rows = await asUser(
    app.sql,
    principal.claims,
    (tx) => tx`select 1 from public.attachments where id = ${attachmentId}`,
  );
  if (rows.length === 0) throw notFound('attachment');
}
