/**
 * CORS for the attachment API. The widget uploads from customers' sites and the admin app from its
 * own origin, both cross-origin, with an Authorization header, so browsers send a preflight first.
 * The preflight carries no token: it is answered for admin origins and for the allowed domains of
 * the site the target conversation belongs to. The real request is checked again (access.ts).
 */
import type { ServerResponse } from 'node:http';
import type { AppContext } from '../context.ts';
import { originAllowed } from '../http/origin.ts';
import { HttpError } from '../http/respond.ts';
import type { RouteContext } from '../http/router.ts';
import { siteDomains } from './access.ts';

/** Lets the browser hand our answer (including errors) to the page at `origin`. */
export function allowOrigin(res: ServerResponse, origin: string | null): void {
  res.setHeader('vary', 'Origin');
  if (origin) res.setHeader('access-control-allow-origin', origin);
}

/**
 * Answers an OPTIONS preflight. `siteOf` names the site whose domains may call this URL (null
 * when the target does not exist: then only admin origins get a yes).
 */
export async function answerPreflight(
  app: AppContext,
  { req, res }: RouteContext,
  methods: string,
  siteOf: () => Promise<string | null>,
): Promise<void> {
  const origin = req.headers.origin;
  let allowed = origin !== undefined && app.config.adminOrigins.includes(origin);
  if (!allowed && origin !== undefined) {
    const siteId = await siteOf();
    allowed = siteId !== null && originAllowed(origin, await siteDomains(app, siteId));
  }
  if (!allowed)
    throw new HttpError(403, 'forbidden_origin', `Origin ${origin ?? '(none)'} may not call this API`);
  res.writeHead(204, {
    'access-control-allow-origin': origin as string,
    'access-control-allow-methods': `${methods}, OPTIONS`,
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
    vary: 'Origin',
  });
  res.end();
}

/** The site of a conversation, for preflights. */
export async function siteOfConversation(app: AppContext, conversationId: string): Promise<string | null> {
  const rows = await app.sql<{ site_id: string }[]>`
    select site_id from public.conversations where id::text = ${conversationId}`;
  return rows[0]?.site_id ?? null;
}

/** The site of an attachment's conversation, for preflights. */
export async function siteOfAttachment(app: AppContext, attachmentId: string): Promise<string | null> {
  const rows = await app.sql<{ site_id: string }[]>`
    select c.site_id from public.attachments a join public.conversations c on c.id = a.conversation_id
    where a.id::text = ${attachmentId}`;
  return rows[0]?.site_id ?? null;
}
