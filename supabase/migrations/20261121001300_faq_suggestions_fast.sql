-- =============================================================================
-- FAQ suggestions, fast with 10,000 FAQs (issue 6 §8: p99 under 20 ms in the database)
--
-- With many FAQs the cost of suggest_faqs was its candidates: any one word of the visitor's
-- messages that many questions share ("cancel", "booking") pulled in ~1,200 of 10,000 FAQs, each
-- fetched from the table and ranked. A word found in a large share of an organization's questions
-- says little about which FAQ fits, so candidates now come from the rare words of the message
-- only: the rarest first, then more while together they name at most ~300 FAQs. The ranking
-- itself is unchanged and still uses every word (ts_rank of the full query on faqs.search, then
-- trigram similarity), so a FAQ that has the rare words and the common ones still ranks first.
--
-- How rare a word is comes from private.faq_question_terms: per organization, how many questions
-- contain each lexeme. Statement triggers on faqs keep it exact (a 10,000-row import is one
-- aggregate, not 10,000 updates); it is private, read only through private.faq_rare_terms, which
-- answers for organizations where the caller is staff.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Lexeme counts of the questions, per organization
-- -----------------------------------------------------------------------------
create table private.faq_question_terms (
  org_id uuid not null references public.organizations (id) on delete cascade,
  word text not null,
  -- Questions of the organization whose to_tsvector('english', question) has this lexeme.
  ndoc integer not null check (ndoc >= 0),
  primary key (org_id, word)
);
comment on table private.faq_question_terms is
  'How many of an organization''s FAQ questions contain each English lexeme; kept by triggers on public.faqs; suggest_faqs takes candidates from rare lexemes only.';
revoke all on table private.faq_question_terms from public, anon, authenticated;

create function private.faq_terms_apply(p_org_ids uuid[], p_questions text[], p_signs integer[])
returns void language sql volatile security definer set search_path = '' as $$
  -- +1 per question that arrives and -1 per question that leaves, for each of its lexemes.
  -- A count may reach 0 (the word's last question is gone); faq_rare_terms skips those rows.
  -- A missing row for a word that leaves is no error: deleting an organization removes its
  -- counts (cascade) before the faqs delete trigger runs.
  with counts as (
    select d.org_id, w.word, sum(d.sign)::integer as n
    from unnest(p_org_ids, p_questions, p_signs) d (org_id, question, sign),
         unnest(tsvector_to_array(to_tsvector('english', d.question))) w (word)
    group by d.org_id, w.word
    having sum(d.sign) <> 0
  ),
  fewer as (
    update private.faq_question_terms t set ndoc = greatest(t.ndoc + c.n, 0)
    from counts c where c.n < 0 and t.org_id = c.org_id and t.word = c.word
  )
  insert into private.faq_question_terms as t (org_id, word, ndoc)
  select c.org_id, c.word, c.n from counts c where c.n > 0
  on conflict (org_id, word) do update set ndoc = t.ndoc + excluded.ndoc
$$;
comment on function private.faq_terms_apply(uuid[], text[], integer[]) is
  'Adds (sign 1) or removes (sign -1) the lexemes of FAQ questions to private.faq_question_terms; called by the faqs statement triggers only.';
revoke all on function private.faq_terms_apply(uuid[], text[], integer[]) from public, anon, authenticated;

create function private.faq_terms_sync()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  -- A statement may only name the transition tables its trigger has: one branch per event.
  if tg_op = 'INSERT' then
    perform private.faq_terms_apply(array_agg(n.org_id), array_agg(n.question), array_agg(1))
    from new_rows n;
  elsif tg_op = 'DELETE' then
    perform private.faq_terms_apply(array_agg(o.org_id), array_agg(o.question), array_agg(-1))
    from old_rows o;
  else
    -- Only rows whose question (or org) changed: a click that adds to use_count changes nothing.
    perform private.faq_terms_apply(
      array_agg(o.org_id) || array_agg(n.org_id),
      array_agg(o.question) || array_agg(n.question),
      array_agg(-1) || array_agg(1)
    )
    from old_rows o join new_rows n using (id)
    where (n.org_id, n.question) is distinct from (o.org_id, o.question);
  end if;
  return null;
end
$$;
comment on function private.faq_terms_sync() is
  'Statement trigger on public.faqs: keeps private.faq_question_terms equal to the lexeme counts of the questions. Security definer: whoever edits FAQs may not write the private table directly.';
revoke all on function private.faq_terms_sync() from public, anon, authenticated;

-- Transition tables need one trigger per event (and no column list on the update trigger).
create trigger faqs_terms_insert after insert on public.faqs
  referencing new table as new_rows for each statement execute function private.faq_terms_sync();
create trigger faqs_terms_update after update on public.faqs
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.faq_terms_sync();
create trigger faqs_terms_delete after delete on public.faqs
  referencing old table as old_rows for each statement execute function private.faq_terms_sync();

-- The FAQs that exist already.
insert into private.faq_question_terms (org_id, word, ndoc)
select f.org_id, w.word, count(*)::integer
from public.faqs f, unnest(tsvector_to_array(to_tsvector('english', f.question))) w (word)
group by f.org_id, w.word;

-- -----------------------------------------------------------------------------
-- faq_rare_terms: the lexemes to take candidates from
-- -----------------------------------------------------------------------------
create function private.faq_rare_terms(p_org_id uuid, p_words text[], p_budget integer)
returns text[] language sql stable security definer set search_path = '' as $$
  -- Rarest first; a word joins while the words before it name fewer than p_budget questions, so
  -- the rarest word always counts and the candidates stay near p_budget. Words in no question of
  -- the organization cannot find a candidate and are left out.
  select coalesce(array_agg(r.word order by r.ndoc, r.word), '{}')
  from (
    select t.word, t.ndoc,
           coalesce(sum(t.ndoc) over (order by t.ndoc, t.word rows between unbounded preceding and 1 preceding), 0) as before
    from private.faq_question_terms t
    where t.org_id = p_org_id and t.word = any (p_words) and t.ndoc > 0
      -- Counts of an organization's questions are for its staff only.
      and p_org_id in (select private.staff_org_ids())
  ) r
  where r.before < p_budget
$$;
comment on function private.faq_rare_terms(uuid, text[], integer) is
  'Of p_words (English lexemes), those in the fewest FAQ questions of the organization, rarest first, while together they are in fewer than p_budget questions (the rarest always). Empty for an organization where the caller is not staff.';
revoke all on function private.faq_rare_terms(uuid, text[], integer) from public, anon;
grant execute on function private.faq_rare_terms(uuid, text[], integer) to authenticated;

-- -----------------------------------------------------------------------------
-- faq_candidates: the best 50 FAQs by words, found through the indexes
-- -----------------------------------------------------------------------------
-- Under RLS, Postgres may use only leakproof operators as index conditions (a policy must filter a
-- row before any non-leakproof function sees it). @@ and the trigram % are not leakproof, so
-- inside the security-invoker suggest_faqs both indexes were unusable and every call computed
-- to_tsvector(question) for all 10,000 FAQs (a sequential scan, ~40 ms). This security definer
-- helper does the indexed search for an organization where the caller is staff and returns ids and
-- word ranks only; suggest_faqs reads the FAQs themselves under RLS, as before.
create function private.faq_candidates(
  p_org_id uuid, p_client_id uuid, p_rare tsquery, p_query tsquery, p_latest text
)
returns table (id uuid, text_rank real)
language plpgsql stable security definer set search_path = ''
-- At most 50: without it the planner assumes 1,000 and reads every FAQ to hash-join them.
rows 50
-- The words decide between the indexes: plan each call for its own (see suggest_faqs).
set plan_cache_mode = force_custom_plan
as $$
begin
  -- The caller's organizations only: what RLS would have allowed.
  if p_org_id is null or p_org_id not in (select private.staff_org_ids()) then
    return;
  end if;
  return query
  with by_words as (
    select f.id, f.search from public.faqs f
    where f.org_id = p_org_id and (f.client_id is null or f.client_id = p_client_id)
      -- Candidates have one of the rare words in their question (faqs_question_fts_idx); no rare
      -- word (null) finds none, and the trigram step below takes over.
      and to_tsvector('english', f.question) @@ p_rare
  ),
  candidates as (
    select b.id, b.search from by_words b
    union all
    -- Misspelt words ("cancle my bokking") match nothing above: then trigram similarity of the
    -- latest message with the questions finds them (faqs_question_trgm_idx).
    select f.id, f.search from public.faqs f
    where (select count(*) from by_words) < 5
      and f.org_id = p_org_id and (f.client_id is null or f.client_id = p_client_id)
      and f.question operator(extensions.%) p_latest
      and f.id not in (select b.id from by_words b)
  )
  -- ts_rank of ALL the words (question and answer; not the cover density of ts_rank_cd, which
  -- rates any one-word hit alike), x4 brings a good hit near 1. The best 50 go on to the costlier
  -- trigram comparison in suggest_faqs.
  select c.id, least(ts_rank(c.search, p_query) * 4, 1)::real as text_rank
  from candidates c
  order by text_rank desc, c.id
  limit 50;
end
$$;
comment on function private.faq_candidates(uuid, uuid, tsquery, tsquery, text) is
  'For suggest_faqs: ids and word rank (ts_rank of p_query) of the best 50 FAQs of an organization where the caller is staff (the client''s and org-wide) whose question has a word of p_rare, or, when fewer than 5 do, is trigram-similar to p_latest. Security definer so that the full-text and trigram indexes can be used (RLS admits only leakproof index conditions); suggest_faqs reads the FAQs under RLS.';
revoke all on function private.faq_candidates(uuid, uuid, tsquery, tsquery, text) from public, anon;
grant execute on function private.faq_candidates(uuid, uuid, tsquery, tsquery, text) to authenticated;

-- -----------------------------------------------------------------------------
-- suggest_faqs: the best answers for a conversation (same signature and results)
-- -----------------------------------------------------------------------------
create or replace function public.suggest_faqs(
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
  -- Every word: ranks the candidates.
  v_query tsquery;
  -- The rare words only: finds the candidates.
  v_rare tsquery;
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
  -- The same words as lexemes, the rare ones OR-ed: 'lexeme' | 'lexeme' (quoted, so a lexeme is
  -- never read as tsquery syntax; they are stemmed already, and the cast does not stem again).
  select string_agg('''' || replace(replace(w.word, '\', '\\'), '''', '''''') || '''', ' | ')::tsquery
    into v_rare
  from unnest(private.faq_rare_terms(
    v_org,
    tsvector_to_array(to_tsvector('english', regexp_replace(v_text, '[^[:alnum:]]+', ' ', 'g'))),
    300
  )) w (word);

  return query
  select r.id, r.client_id, r.question, r.answer, r.use_count,
         -- The conversation's own client's answers before the firm-wide ones; use breaks near-ties.
         (r.relevance * case when r.client_id is not null then 1.15 else 1 end
          + 0.005 * ln(1 + r.use_count))::real as score
  from (
    -- Trigram similarity of the question with the latest message adds wording and typos.
    -- The FAQs are read here, under the caller's RLS; the helper gave ids and ranks only.
    select f.id, f.client_id, f.question, f.answer, f.use_count,
           t.text_rank + extensions.similarity(f.question, v_latest) as relevance
    from private.faq_candidates(v_org, v_client, v_rare, v_query, v_latest) t
    join public.faqs f using (id)
  ) r
  -- One shared everyday word ("page", "thanks") is not a suggestion.
  where r.relevance >= 0.2
  order by score desc, r.use_count desc, r.id
  limit least(greatest(coalesce(p_limit, 5), 1), 20);
end
$$;
comment on function public.suggest_faqs(uuid, text, integer) is
  'FAQs for a conversation, best first: candidates are the FAQs whose question has a rare word (private.faq_rare_terms) of the visitor''s last three messages, ranked by full-text rank (ts_rank on faqs.search) of all the words plus trigram similarity of the latest message with the question; the conversation''s client and org-wide FAQs only; p_query searches that text instead. Security invoker: RLS decides which conversation, messages and FAQs it reads.';
revoke all on function public.suggest_faqs(uuid, text, integer) from public, anon;
grant execute on function public.suggest_faqs(uuid, text, integer) to authenticated;
