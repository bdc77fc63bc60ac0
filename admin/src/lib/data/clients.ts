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

/**
 * Archiving keeps the client, its sites and every conversation (history, analytics and the usage
 * report still show them) while its sites stop taking new chats: the chat server refuses their
 * widget with `client_archived`. Restoring clears the mark and reopens the sites at once.
 */
export async function archiveClient(id: string) {
  await updateClient(id, { archived_at: new Date().toISOString() });
}

export async function restoreClient(id: string) {
  await updateClient(id, { archived_at: null });
}

/** How many stored conversations deleting this client would destroy (as far as RLS lets us count). */
export async function countClientConversations(clientId: string): Promise<number> {
  const { count, error } = await supabase()
    .from('conversations')
    .select('id', { count: 'exact', head: true })
    .eq('client_id', clientId);
  if (error) throw error;
  return count ?? 0;
}

/** A client's name for filters and lists, marked when archived so past chats stay findable. */
export function clientLabel(client: Pick<Client, 'name' | 'archived_at'>): string {
  return client.archived_at ? `${client.name} (archived)` : client.name;
}

/** Deleting cascades to the client's sites and every stored conversation; the page confirms first. */
export async function deleteClient(id: string) {
  expectChanged(await supabase().from('clients').delete().eq('id', id).select('id'));
}
