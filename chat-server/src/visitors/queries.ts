/**
 * Visitor rows. A visitor is known only through the token this server signed, so lookups take the
 * id from verified claims; callers still compare site/org with the token before trusting a row.
 */
import type { Sql } from '../db/sql.ts';
import { isUuid } from '../sites/queries.ts';

export interface Visitor {
  id: string;
  orgId: string;
  clientId: string;
  siteId: string;
  externalId: string | null;
  name: string;
  email: string;
  locale: string;
  userAgent: string;
  /** Pre-chat answers and identify() attributes. */
  attributes: Record<string, unknown>;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

interface VisitorRow {
  id: string;
  org_id: string;
  client_id: string;
  site_id: string;
  external_id: string | null;
  name: string;
  email: string;
  locale: string;
  user_agent: string;
  attributes: Record<string, unknown>;
  first_seen_at: Date;
  last_seen_at: Date;
}

const COLUMNS = [
  'id',
  'org_id',
  'client_id',
  'site_id',
  'external_id',
  'name',
  'email',
  'locale',
  'user_agent',
  'attributes',
  'first_seen_at',
  'last_seen_at',
] as const;

/** The visitor with this id, or null (also for a string that is not a uuid). */
export async function getVisitor(sql: Sql, id: string): Promise<Visitor | null> {
  if (!isUuid(id)) return null;
  const rows = await sql<VisitorRow[]>`select ${sql(COLUMNS)} from public.visitors where id = ${id}`;
  return rows[0] ? toVisitor(rows[0]) : null;
}

export interface NewVisitor {
  orgId: string;
  clientId: string;
  siteId: string;
  locale?: string;
  userAgent?: string;
}

export async function insertVisitor(sql: Sql, v: NewVisitor): Promise<Visitor> {
  const rows = await sql<VisitorRow[]>`
    insert into public.visitors (org_id, client_id, site_id, locale, user_agent)
    values (${v.orgId}, ${v.clientId}, ${v.siteId}, ${v.locale ?? ''}, ${v.userAgent ?? ''})
    returning ${sql(COLUMNS)}`;
  return toVisitor(rows[0] as VisitorRow);
}

/**
 * Marks a returning visitor as seen now, updating locale and user agent when the widget sent them.
 * Returns null when no visitor with this id belongs to this site (deleted, or another site's).
 */
export async function touchVisitor(
  sql: Sql,
  id: string,
  siteId: string,
  update: { locale?: string; userAgent?: string } = {},
): Promise<Visitor | null> {
  if (!isUuid(id)) return null;
  const rows = await sql<VisitorRow[]>`
    update public.visitors
    set last_seen_at = now(),
        locale = coalesce(${update.locale ?? null}, locale),
        user_agent = coalesce(${update.userAgent ?? null}, user_agent)
    where id = ${id} and site_id = ${siteId}
    returning ${sql(COLUMNS)}`;
  return rows[0] ? toVisitor(rows[0]) : null;
}

/** The visitor's most recent conversation that is not closed (queued, active or offline), if any. */
export async function latestOpenConversationId(sql: Sql, visitorId: string): Promise<string | null> {
  const rows = await sql<{ id: string }[]>`
    select id from public.conversations
    where visitor_id = ${visitorId} and status <> 'closed'
    order by created_at desc
    limit 1`;
  return rows[0]?.id ?? null;
}

function toVisitor(r: VisitorRow): Visitor {
  return {
    id: r.id,
    orgId: r.org_id,
    clientId: r.client_id,
    siteId: r.site_id,
    externalId: r.external_id,
    name: r.name,
    email: r.email,
    locale: r.locale,
    userAgent: r.user_agent,
    attributes: r.attributes ?? {},
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
  };
}
