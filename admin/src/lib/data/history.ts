/**
 * Conversation history: search and transcripts. Everything is read under the user's JWT, so an agent
 * sees their groups' chats, a manager the whole firm's and a client_viewer only their client's.
 */
import { supabase } from '../supabase.ts';
import { unwrap } from './result.ts';
import type { AttachmentRow, ConversationRow, MessageRow } from './types.ts';

export interface HistoryFilters {
  text: string;
  from: string; // yyyy-mm-dd, inclusive
  to: string; // yyyy-mm-dd, inclusive
  clientId: string;
  groupId: string;
  agentId: string;
  rating: string; // '' | '1'…'5' | 'none'
}

export const EMPTY_FILTERS: HistoryFilters = {
  text: '',
  from: '',
  to: '',
  clientId: '',
  groupId: '',
  agentId: '',
  rating: '',
};

export const PAGE_SIZE = 25;
/** A text search looks at the newest matching messages only; enough for a person reading results. */
const TEXT_MATCH_LIMIT = 1000;

const COLUMNS =
  'id, org_id, client_id, site_id, status, group_id, assignee_id, topic, created_at, queued_at, assigned_at, first_response_at, closed_at, rating, feedback, visitor:visitors(name, email, user_agent, attributes), client:clients(name), group:groups(name)';

export function filtersFromUrl(params: URLSearchParams): HistoryFilters {
  const get = (key: string) => params.get(key)?.trim() ?? '';
  return {
    text: get('q'),
    from: get('from'),
    to: get('to'),
    clientId: get('client'),
    groupId: get('group'),
    agentId: get('agent'),
    rating: get('rating'),
  };
}

export function filtersToUrl(filters: HistoryFilters, page = 1): string {
  const params = new URLSearchParams();
  const set = (key: string, value: string) => value && params.set(key, value);
  set('q', filters.text);
  set('from', filters.from);
  set('to', filters.to);
  set('client', filters.clientId);
  set('group', filters.groupId);
  set('agent', filters.agentId);
  set('rating', filters.rating);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** Conversations whose messages match the words: an RPC, so the GIN index on to_tsvector('simple', body) serves it. */
async function conversationIdsMatching(orgId: string, text: string): Promise<string[]> {
  const rows = unwrap(
    await supabase().rpc('search_conversation_ids', {
      p_org_id: orgId,
      p_query: text,
      p_limit: TEXT_MATCH_LIMIT,
    }),
  ) as Array<{ conversation_id: string }>;
  return rows.map((row) => row.conversation_id);
}

export async function searchConversations(
  orgId: string,
  filters: HistoryFilters,
  page = 1,
  pageSize = PAGE_SIZE,
): Promise<{ rows: ConversationRow[]; total: number }> {
  let ids: string[] | undefined;
  if (filters.text) {
    ids = await conversationIdsMatching(orgId, filters.text);
    if (ids.length === 0) return { rows: [], total: 0 };
  }
  let query = supabase().from('conversations').select(COLUMNS, { count: 'exact' }).eq('org_id', orgId);
  if (ids) query = query.in('id', ids);
  if (filters.from) query = query.gte('created_at', new Date(`${filters.from}T00:00:00`).toISOString());
  if (filters.to) query = query.lt('created_at', nextDay(filters.to));
  if (filters.clientId) query = query.eq('client_id', filters.clientId);
  if (filters.groupId) query = query.eq('group_id', filters.groupId);
  if (filters.agentId) query = query.eq('assignee_id', filters.agentId);
  if (filters.rating === 'none') query = query.is('rating', null);
  else if (filters.rating) query = query.eq('rating', Number(filters.rating));
  const start = (page - 1) * pageSize;
  // Newest first; the id breaks ties (imported or seeded chats can share a timestamp: the seed's are
  // whole minutes), so rows never swap places between requests and a page boundary is stable.
  const result = await query
    .order('created_at', { ascending: false })
    .order('id', { ascending: false })
    .range(start, start + pageSize - 1);
  if (result.error) throw result.error;
  return { rows: (result.data ?? []) as unknown as ConversationRow[], total: result.count ?? 0 };
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + 1);
  return date.toISOString();
}

export async function getConversation(id: string): Promise<ConversationRow | null> {
  return unwrap(
    await supabase().from('conversations').select(COLUMNS).eq('id', id).maybeSingle(),
  ) as unknown as ConversationRow | null;
}

export async function getTranscript(
  conversationId: string,
): Promise<{ messages: MessageRow[]; attachments: AttachmentRow[] }> {
  const [messages, attachments] = await Promise.all([
    supabase()
      .from('messages')
      .select('id, seq, sender_kind, sender_id, body, payload, created_at')
      .eq('conversation_id', conversationId)
      .order('seq'),
    supabase()
      .from('attachments')
      .select('id, message_id, file_name, content_type, size_bytes, created_at')
      .eq('conversation_id', conversationId)
      .order('created_at'),
  ]);
  return { messages: unwrap(messages) as MessageRow[], attachments: unwrap(attachments) as AttachmentRow[] };
}
