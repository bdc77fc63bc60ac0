-- =============================================================================
-- FAQ suggestions for the agent console
--
-- suggest_faqs ranks the FAQs an agent may read against what the visitor said
-- last, with both Postgres full-text search (faqs.search, GIN) and trigram
-- similarity on the question (faqs_question_trgm_idx), so a reworded question
-- and a misspelt one ("cancle my bokking") both find their answer. It is
-- SECURITY INVOKER: the conversations, messages and faqs policies decide what
-- it reads, exactly as if the agent had queried the tables.
--
-- faq_used counts a click on a suggestion (faqs.use_count, shown in analytics).
-- Only managers may update FAQs (faqs_update), so an agent's click goes through
-- one narrow SECURITY DEFINER helper that can do nothing but add 1 to a FAQ of
-- an organization where the caller is staff.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Full text of the question alone: suggest_faqs takes its candidates from it
-- -----------------------------------------------------------------------------
create index faqs_question_fts_idx on public.faqs using gin (to_tsvector('english', question));

-- -----------------------------------------------------------------------------
-- suggest_faqs: the best answers for a conversation
-- -----------------------------------------------------------------------------
create function public.suggest_faqs(
  p_conversation_id uuid, p_query text default null, p_limit integer default 5
)
returns table (id uuid, client_id uuid, question text, answer text, use_count integer, score real)
language plpgsql stable security invoker set search_path = ''
-- PL/pgSQL caches plans; a generic plan does not know the words and may scan every FAQ computing
-- to_tsvector(question) instead of using faqs_question_fts_idx. Plan each call for its words.
set plan_cache_mode = force_custom_plan
as $$
declare
  v_org uuid;
  v_client uuid;
  -- Everything searched with full text: the visitor's last three messages (or p_query).
  v_text text;
  -- Compared by trigram with the questions: the latest message alone (short texts compare best).
  v_latest text;
  v_query tsquery;
begin
  select c.org_id, c.client_id into v_org, v_client
  from public.conversations c where c.id = p_conversation_id;
  -- Not visible to the caller (RLS) or no such conversation: nothing to suggest.
  if v_org is null then
    return;
  end if;

  if nullif(btrim(p_query), '') is not null then
    v_text := left(p_query, 2000);
    v_latest := left(p_query, 300);
  else
    select string_agg(m.body, ' ' order by m.seq), left((array_agg(m.body order by m.seq desc))[1], 300)
      into v_text, v_latest
    from (
      select m.body, m.seq from public.messages m
      where m.conversation_id = p_conversation_id and m.sender_kind = 'visitor' and m.body <> ''
      order by m.seq desc limit 3
    ) m;
    v_text := left(v_text, 2000);
  end if;
  if v_text is null then
    return;
  end if;

  -- Any of the words, not all of them: a visitor's message has many words a FAQ does not.
  -- Punctuation becomes " or ", so nothing in the text is read as websearch syntax; English
  -- stop words drop out, and a text of stop words only gives an empty query (no FTS match).
  v_query := websearch_to_tsquery(
    'english', btrim(regexp_replace(v_text, '[^[:alnum:]]+', ' or ', 'g'), ' or')
  );
  return query
  with by_words as (
    select f.id, f.search from public.faqs f
    where f.org_id = v_org and (f.client_id is null or f.client_id = v_client)
      -- Candidates have one of the words in their question (faqs_question_fts_idx). A word found
      -- only in answers ("need", "work") matches thousands of FAQs in a large set, and every call
      -- would rank them all; answers still count in the rank below.
      and to_tsvector('english', f.question) @@ v_query
  ),
  candidates as (
    select b.id, b.search from by_words b
    union all
    -- Misspelt words ("cancle my bokking") match nothing above: then trigram similarity of the
    -- latest message with the questions finds them (faqs_question_trgm_idx).
    select f.id, f.search from public.faqs f
    where (select count(*) from by_words) < 5
      and f.org_id = v_org and (f.client_id is null or f.client_id = v_client)
      and f.question operator(extensions.%) v_latest
      and f.id not in (select b.id from by_words b)
  )
  select r.id, r.client_id, r.question, r.answer, r.use_count,
         -- The conversation's own client's answers before the firm-wide ones; use breaks near-ties.
         (r.relevance * case when r.client_id is not null then 1.15 else 1 end
          + 0.005 * ln(1 + r.use_count))::real as score
  from (
    -- Trigram similarity of the question with the latest message adds wording and typos.
    select f.id, f.client_id, f.question, f.answer, f.use_count,
           t.text_rank + extensions.similarity(f.question, v_latest) as relevance
    from (
      -- ts_rank (not the cover density of ts_rank_cd, which rates any one-word hit alike) grows
      -- with how many of the words a FAQ has (question and answer); x4 brings a good hit near 1.
      -- The best 50 by words go on to the costlier trigram comparison.
      -- (The candidates carry their tsvector: no second visit to the table for it.)
      select c.id, least(ts_rank(c.search, v_query) * 4, 1) as text_rank
      from candidates c
      order by text_rank desc
      limit 50
    ) t
    join public.faqs f using (id)
  ) r
  -- One shared everyday word ("page", "thanks") is not a suggestion.
  where r.relevance >= 0.2
  order by score desc, r.use_count desc, r.id
  limit least(greatest(coalesce(p_limit, 5), 1), 20);
end
$$;
comment on function public.suggest_faqs(uuid, text, integer) is
  'FAQs for a conversation, best first: full-text rank (ts_rank on faqs.search) of the visitor''s last three messages plus trigram similarity of the latest one with the question, the conversation''s client and org-wide FAQs only; p_query searches that text instead. Security invoker: RLS decides which conversation, messages and FAQs it reads.';
revoke all on function public.suggest_faqs(uuid, text, integer) from public, anon;
grant execute on function public.suggest_faqs(uuid, text, integer) to authenticated;

-- -----------------------------------------------------------------------------
-- faq_used: count a click on a suggestion
-- -----------------------------------------------------------------------------
create function private.count_faq_use(p_faq_id uuid)
returns integer language sql volatile security definer set search_path = '' as $$
  -- The only write it can make: +1 on a FAQ of an organization where the caller is staff.
  update public.faqs f set use_count = f.use_count + 1
  where f.id = p_faq_id and f.org_id in (select private.staff_org_ids())
  returning f.use_count
$$;
comment on function private.count_faq_use(uuid) is
  'Adds 1 to faqs.use_count of a FAQ in an organization where the caller is staff; null if there is none. Security definer because faqs_update admits managers only, and counting a click is not editing the FAQ.';
revoke all on function private.count_faq_use(uuid) from public, anon;
grant execute on function private.count_faq_use(uuid) to authenticated;

create function public.faq_used(p_faq_id uuid)
returns integer language plpgsql volatile security invoker set search_path = '' as $$
declare
  v_count integer;
begin
  -- Read under the caller's RLS first: a FAQ they cannot see is "not found", like one that does not exist.
  if not exists (select 1 from public.faqs f where f.id = p_faq_id) then
    raise exception 'FAQ % does not exist or you may not use it', p_faq_id using errcode = 'P0002';
  end if;
  v_count := private.count_faq_use(p_faq_id);
  if v_count is null then
    raise exception 'FAQ % does not exist or you may not use it', p_faq_id using errcode = 'P0002';
  end if;
  return v_count;
end
$$;
comment on function public.faq_used(uuid) is
  'Counts one use of a FAQ (an agent inserted its answer) and returns the new use_count. Security invoker: the FAQ must be readable under RLS; the increment itself goes through private.count_faq_use.';
revoke all on function public.faq_used(uuid) from public, anon;
grant execute on function public.faq_used(uuid) to authenticated;
