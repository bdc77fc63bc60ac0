/**
 * FAQ suggestions beside a conversation (RPC `suggest_faqs`, security invoker: full-text search and
 * trigram similarity over what the visitor said last, the conversation's client's FAQs and the
 * firm's), counting a use (`faq_used`), and saving a good reply as a new FAQ.
 */
import { unwrap } from '../data/result.ts';
import { supabase } from '../supabase.ts';

export interface FaqSuggestion {
  id: string;
  client_id: string | null;
  question: string;
  answer: string;
  use_count: number;
  score: number;
}

/** Suggestions for the conversation; `query` searches that text instead of the visitor's messages. */
export async function suggestFaqs(conversationId: string, query = '', limit = 5): Promise<FaqSuggestion[]> {
  return unwrap(
    await supabase().rpc('suggest_faqs', {
      p_conversation_id: conversationId,
      p_query: query.trim() || null,
      p_limit: limit,
    }),
  ) as FaqSuggestion[];
}

/** One use of a FAQ (its answer went into the composer); returns the new count. */
export async function countFaqUse(id: string): Promise<number> {
  return unwrap(await supabase().rpc('faq_used', { p_faq_id: id })) as number;
}

/** Saves a reply as a FAQ of the conversation's client (or the whole firm with clientId null). */
export async function saveAsFaq(input: {
  orgId: string;
  userId: string;
  clientId: string | null;
  question: string;
  answer: string;
}): Promise<void> {
  unwrap(
    await supabase().from('faqs').insert({
      org_id: input.orgId,
      created_by: input.userId,
      client_id: input.clientId,
      question: input.question.trim(),
      answer: input.answer.trim(),
    }),
  );
}
