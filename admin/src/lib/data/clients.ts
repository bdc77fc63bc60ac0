import { supabase } from '../supabase.ts';
import { expectChanged, unwrap } from './result.ts';
import type { Client } from './types.ts';

const COLUMNS = 'id, org_id, name, contact_email, notes, archived_at, created_at';

export async function listClients(orgId: string): Promise<Client[]> {
  return unwrap(await supabase().from('clients').select(COLUMNS).eq('org_id', orgId).order('name'));
}

export type ClientInput = Pick<Client, 'name' | 'contact_email' | 'notes'>;

export async function createClient(orgId: string, input: ClientInput): Promise<Client> {
  return unwrap(
    await supabase()
      .from('clients')
      .insert({ org_id: orgId, ...input })
      .select(COLUMNS)
      .single(),
  );
}

export async function updateClient(
  id: string,
  patch: Partial<ClientInput> & { archived_at?: string | null },
) {
  expectChanged(await supabase().from('clients').update(patch).eq('id', id).select('id'));
}

export async function deleteClient(id: string) {
  expectChanged(await supabase().from('clients').delete().eq('id', id).select('id'));
}
