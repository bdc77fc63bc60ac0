/**
 * Site lookups. Sites are read as the chat_server role (it may read every site: tenancy comes from
 * the site key the widget sends and the visitor token the server signed).
 */
import type { Sql } from '../db/sql.ts';
import { parseSiteRow, type SiteRow } from './parse-row.ts';
import type { Site } from './types.ts';

export type { Site } from './types.ts';

/** Called with what was wrong in a site's JSON columns (bad entries are dropped, not fatal). */
export type SiteProblemReporter = (siteId: string, problems: string[]) => void;

const COLUMNS = [
  'id',
  'org_id',
  'client_id',
  'name',
  'site_key',
  'allowed_domains',
  'widget_settings',
  'greetings',
  'business_hours',
  'time_zone',
  'prechat_fields',
  'topics',
  'default_group_id',
] as const;

/**
 * The site columns and whether its client is archived, in one statement: an archived client's sites
 * take no new chats (src/http/widget/site-access.ts, the conversation.start handler).
 */
function selectSites(sql: Sql) {
  return sql`
    select ${sql(COLUMNS)},
      exists (select 1 from public.clients c where c.id = sites.client_id and c.archived_at is not null)
        as client_archived
    from public.sites`;
}

/** The site with this public key, or null. Keys outside the key format never reach Postgres. */
export async function findSiteByKey(
  sql: Sql,
  siteKey: string,
  onProblems?: SiteProblemReporter,
): Promise<Site | null> {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(siteKey)) return null;
  const rows = await sql<SiteRow[]>`${selectSites(sql)} where site_key = ${siteKey}`;
  return toSite(rows[0], onProblems);
}

/** The site with this id, or null (also for a string that is not a uuid). */
export async function getSite(
  sql: Sql,
  siteId: string,
  onProblems?: SiteProblemReporter,
): Promise<Site | null> {
  if (!isUuid(siteId)) return null;
  const rows = await sql<SiteRow[]>`${selectSites(sql)} where id = ${siteId}`;
  return toSite(rows[0], onProblems);
}

/** Groups a site routes conversations to: its topics' groups and its default group, deduplicated. */
export function siteGroupIds(site: Site): string[] {
  const ids = site.topics.map((t) => t.groupId);
  if (site.defaultGroupId) ids.push(site.defaultGroupId);
  return [...new Set(ids)];
}

/**
 * Whether at least one active agent of the site's organization is 'online' and a member of one of
 * the groups the site routes to. Business hours are not considered here (see availability.ts).
 */
export async function hasOnlineAgent(sql: Sql, site: Site): Promise<boolean> {
  const groups = siteGroupIds(site);
  if (groups.length === 0) return false;
  const rows = await sql`
    select 1
    from public.agent_status s
    join public.org_members m on m.org_id = s.org_id and m.user_id = s.user_id
    join public.group_members gm on gm.org_id = s.org_id and gm.user_id = s.user_id
    where s.org_id = ${site.orgId}
      and s.status = 'online'
      and m.active
      and m.role <> 'client_viewer'
      and gm.group_id = any(${groups}::uuid[])
    limit 1`;
  return rows.length > 0;
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function toSite(row: SiteRow | undefined, onProblems?: SiteProblemReporter): Site | null {
  if (!row) return null;
  const { site, problems } = parseSiteRow(row);
  if (problems.length > 0) onProblems?.(site.id, problems);
  return site;
}
