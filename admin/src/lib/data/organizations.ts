import { supabase } from '../supabase.ts';
import { expectChanged, unwrap } from './result.ts';
import type { Organization } from './types.ts';

export async function getOrganization(orgId: string): Promise<Organization> {
  return unwrap(
    await supabase().from('organizations').select('id, name, slug, settings').eq('id', orgId).single(),
  );
}

/** RLS lets owners and admins update; others get an error back. */
export async function updateOrganization(orgId: string, patch: Pick<Organization, 'name' | 'settings'>) {
  expectChanged(await supabase().from('organizations').update(patch).eq('id', orgId).select('id'));
}
