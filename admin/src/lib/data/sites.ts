import { supabase } from '../supabase.ts';
import { expectChanged, unwrap } from './result.ts';
import type { Site } from './types.ts';

const COLUMNS =
  'id, org_id, client_id, name, site_key, allowed_domains, widget_settings, greetings, business_hours, time_zone, prechat_fields, topics, default_group_id, created_at';

export type SiteWithClient = Site & { client: { name: string; archived_at: string | null } | null };

export async function listSites(orgId: string): Promise<SiteWithClient[]> {
  return unwrap(
    await supabase()
      .from('sites')
      .select(`${COLUMNS}, client:clients(name, archived_at)`)
      .eq('org_id', orgId)
      .order('name'),
  ) as unknown as SiteWithClient[];
}

export async function getSite(id: string): Promise<Site | null> {
  return unwrap(await supabase().from('sites').select(COLUMNS).eq('id', id).maybeSingle());
}

export async function createSite(
  orgId: string,
  input: { client_id: string; name: string; allowed_domains: string[] },
) {
  return unwrap(
    await supabase()
      .from('sites')
      .insert({ org_id: orgId, ...input })
      .select(COLUMNS)
      .single(),
  ) as Site;
}

export type SitePatch = Partial<Omit<Site, 'id' | 'org_id' | 'site_key' | 'created_at'>>;

export async function updateSite(id: string, patch: SitePatch) {
  expectChanged(await supabase().from('sites').update(patch).eq('id', id).select('id'));
}

export async function deleteSite(id: string) {
  expectChanged(await supabase().from('sites').delete().eq('id', id).select('id'));
}
