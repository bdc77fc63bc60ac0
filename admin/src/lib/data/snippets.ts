import { supabase } from '../supabase.ts';
import { expectChanged, unwrap } from './result.ts';
import type { Snippet } from './types.ts';

const COLUMNS = 'id, org_id, owner_id, shortcut, title, body';

/** Org-wide snippets and the user's own (RLS hides colleagues' personal ones). */
export async function listSnippets(orgId: string): Promise<Snippet[]> {
  return unwrap(await supabase().from('snippets').select(COLUMNS).eq('org_id', orgId).order('shortcut'));
}

export type SnippetInput = Pick<Snippet, 'shortcut' | 'title' | 'body' | 'owner_id'>;

export async function createSnippet(orgId: string, input: SnippetInput): Promise<Snippet> {
  return unwrap(
    await supabase()
      .from('snippets')
      .insert({ org_id: orgId, ...input })
      .select(COLUMNS)
      .single(),
  );
}

export async function updateSnippet(id: string, patch: Partial<SnippetInput>) {
  expectChanged(await supabase().from('snippets').update(patch).eq('id', id).select('id'));
}

export async function deleteSnippet(id: string) {
  expectChanged(await supabase().from('snippets').delete().eq('id', id).select('id'));
}
