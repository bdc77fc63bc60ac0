import { supabase } from '../supabase.ts';
import { expectChanged, unwrap } from './result.ts';
import type { Faq } from './types.ts';

const COLUMNS = 'id, org_id, client_id, question, answer, tags, use_count, updated_at';

export async function listFaqs(orgId: string): Promise<Faq[]> {
  return unwrap(await supabase().from('faqs').select(COLUMNS).eq('org_id', orgId).order('question'));
}

export type FaqInput = Pick<Faq, 'question' | 'answer' | 'tags' | 'client_id'>;

/** created_by must be the inserting user (RLS), so "saved by" is always true. */
export async function createFaqs(orgId: string, userId: string, inputs: FaqInput[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const rows = inputs.map((input) => ({ org_id: orgId, created_by: userId, ...input }));
  return unwrap(await supabase().from('faqs').insert(rows).select('id')).length;
}

export async function updateFaq(id: string, patch: Partial<FaqInput>) {
  expectChanged(await supabase().from('faqs').update(patch).eq('id', id).select('id'));
}

export async function deleteFaq(id: string) {
  expectChanged(await supabase().from('faqs').delete().eq('id', id).select('id'));
}

/** The most used answers (faqs.use_count), for analytics. */
export async function topFaqs(orgId: string, limit = 8): Promise<Faq[]> {
  return unwrap(
    await supabase()
      .from('faqs')
      .select(COLUMNS)
      .eq('org_id', orgId)
      .gt('use_count', 0)
      .order('use_count', { ascending: false })
      .limit(limit),
  );
}
