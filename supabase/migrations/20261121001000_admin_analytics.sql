-- =============================================================================
-- Analytics for the admin app
--
-- Read-only RPCs behind the analytics page. Every function is SECURITY INVOKER:
-- it runs as the caller, so the conversations (and messages) policies decide
-- which rows count. A manager gets the whole firm, a client_viewer their own
-- client, an agent the conversations they may see; nobody gets another tenant's
-- rows, whatever p_org_id they pass.
--
-- Definitions (seconds unless noted), over conversations created in
-- [p_from, p_to) and, when p_client_id is given, of that client only:
--   wait            assigned_at - queued_at        (in the queue)
--   first response  first_response_at - created_at (what the visitor waited for a first answer)
--   handling        closed_at - assigned_at        (an agent's time on the chat)
--   chat minutes    the sum of handling, in minutes (what a firm invoices)
--   satisfaction    the average of ratings given (1-5), and how many were given
-- Days and hours are counted in p_time_zone (an IANA name, default UTC).
-- =============================================================================

-- -----------------------------------------------------------------------------
-- The filtered set every report starts from
-- -----------------------------------------------------------------------------
create function private.analytics_conversations(
  p_org_id uuid, p_from timestamptz, p_to timestamptz, p_client_id uuid
)
returns setof public.conversations
language sql stable security invoker set search_path = '' as $$
  select c.*
  from public.conversations c
  where c.org_id = p_org_id
    and c.created_at >= p_from
    and c.created_at < p_to
    and (p_client_id is null or c.client_id = p_client_id)
$$;
comment on function private.analytics_conversations(uuid, timestamptz, timestamptz, uuid) is
  'Conversations of one organization created in [p_from, p_to), optionally of one client, as the caller may see them (security invoker: RLS applies).';
revoke all on function private.analytics_conversations(uuid, timestamptz, timestamptz, uuid) from public, anon;
grant execute on function private.analytics_conversations(uuid, timestamptz, timestamptz, uuid) to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- analytics_summary: the headline figures
-- -----------------------------------------------------------------------------
create function public.analytics_summary(
  p_org_id uuid, p_from timestamptz, p_to timestamptz, p_client_id uuid default null
)
returns table (
  chats bigint, answered bigint, missed bigint,
  avg_wait_s numeric, avg_first_response_s numeric, avg_handling_s numeric,
  avg_rating numeric, rated bigint, chat_minutes numeric
)
language sql stable security invoker set search_path = '' as $$
  select count(*),
         count(*) filter (where c.first_response_at is not null),
         count(*) filter (where c.status = 'offline' or (c.status = 'closed' and c.assigned_at is null)),
         round(avg(extract(epoch from c.assigned_at - c.queued_at)), 1),
         round(avg(extract(epoch from c.first_response_at - c.created_at)), 1),
         round(avg(extract(epoch from c.closed_at - c.assigned_at)), 1),
         round(avg(c.rating), 2),
         count(c.rating),
         round(coalesce(sum(extract(epoch from c.closed_at - c.assigned_at)), 0) / 60, 1)
  from private.analytics_conversations(p_org_id, p_from, p_to, p_client_id) c
$$;
comment on function public.analytics_summary(uuid, timestamptz, timestamptz, uuid) is
  'Headline figures for the analytics page: chats, answered, missed, average wait / first response / handling (s), average rating, ratings given and chat minutes. Security invoker: RLS decides which conversations count.';
revoke all on function public.analytics_summary(uuid, timestamptz, timestamptz, uuid) from public, anon;
grant execute on function public.analytics_summary(uuid, timestamptz, timestamptz, uuid) to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- analytics_volume: chats by weekday and hour (a heat map, or either axis alone)
-- -----------------------------------------------------------------------------
create function public.analytics_volume(
  p_org_id uuid, p_from timestamptz, p_to timestamptz, p_client_id uuid default null,
  p_time_zone text default 'UTC'
)
returns table (day_of_week integer, hour integer, chats bigint)
language sql stable security invoker set search_path = '' as $$
  select extract(isodow from c.created_at at time zone p_time_zone)::integer,
         extract(hour from c.created_at at time zone p_time_zone)::integer,
         count(*)
  from private.analytics_conversations(p_org_id, p_from, p_to, p_client_id) c
  group by 1, 2
  order by 1, 2
$$;
comment on function public.analytics_volume(uuid, timestamptz, timestamptz, uuid, text) is
  'Chats started per ISO weekday (1 = Monday) and hour of day in p_time_zone. Security invoker.';
revoke all on function public.analytics_volume(uuid, timestamptz, timestamptz, uuid, text) from public, anon;
grant execute on function public.analytics_volume(uuid, timestamptz, timestamptz, uuid, text) to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- analytics_daily: the daily report, one row per day and group
-- -----------------------------------------------------------------------------
create function public.analytics_daily(
  p_org_id uuid, p_from timestamptz, p_to timestamptz, p_client_id uuid default null,
  p_time_zone text default 'UTC'
)
returns table (
  day date, group_id uuid, group_name text, chats bigint,
  avg_wait_s numeric, avg_first_response_s numeric, avg_handling_s numeric,
  avg_rating numeric, rated bigint, chat_minutes numeric
)
language sql stable security invoker set search_path = '' as $$
  select (c.created_at at time zone p_time_zone)::date,
         c.group_id,
         -- A client_viewer may not read groups: the name is then null, the figures still count.
         (select g.name from public.groups g where g.id = c.group_id),
         count(*),
         round(avg(extract(epoch from c.assigned_at - c.queued_at)), 1),
         round(avg(extract(epoch from c.first_response_at - c.created_at)), 1),
         round(avg(extract(epoch from c.closed_at - c.assigned_at)), 1),
         round(avg(c.rating), 2),
         count(c.rating),
         round(coalesce(sum(extract(epoch from c.closed_at - c.assigned_at)), 0) / 60, 1)
  from private.analytics_conversations(p_org_id, p_from, p_to, p_client_id) c
  group by 1, 2
  order by 1, 3
$$;
comment on function public.analytics_daily(uuid, timestamptz, timestamptz, uuid, text) is
  'The daily report per group: chats, average wait / first response / handling (s), satisfaction and chat minutes per day (in p_time_zone) and group. Security invoker.';
revoke all on function public.analytics_daily(uuid, timestamptz, timestamptz, uuid, text) from public, anon;
grant execute on function public.analytics_daily(uuid, timestamptz, timestamptz, uuid, text) to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- analytics_breakdown: the same figures per agent, group or client
-- -----------------------------------------------------------------------------
create function public.analytics_breakdown(
  p_org_id uuid, p_from timestamptz, p_to timestamptz, p_client_id uuid default null,
  p_dimension text default 'agent'
)
returns table (
  key uuid, label text, chats bigint,
  avg_wait_s numeric, avg_first_response_s numeric, avg_handling_s numeric,
  avg_rating numeric, rated bigint, chat_minutes numeric
)
language plpgsql stable security invoker set search_path = '' as $$
begin
  if p_dimension is null or p_dimension not in ('agent', 'group', 'client') then
    raise exception 'Unknown breakdown "%": use agent, group or client', p_dimension
      using errcode = 'invalid_parameter_value';
  end if;
  return query
  with filtered as (
    select case p_dimension when 'agent' then c.assignee_id when 'group' then c.group_id else c.client_id end as k, c.*
    from private.analytics_conversations(p_org_id, p_from, p_to, p_client_id) c
  )
  select f.k,
         -- Names come through the caller's own RLS: unreadable names (a client_viewer's colleagues) stay null.
         case p_dimension
           when 'agent' then (select nullif(m.display_name, '') from public.org_members m where m.org_id = p_org_id and m.user_id = f.k)
           when 'group' then (select g.name from public.groups g where g.id = f.k)
           else (select cl.name from public.clients cl where cl.id = f.k)
         end,
         count(*),
         round(avg(extract(epoch from f.assigned_at - f.queued_at)), 1),
         round(avg(extract(epoch from f.first_response_at - f.created_at)), 1),
         round(avg(extract(epoch from f.closed_at - f.assigned_at)), 1),
         round(avg(f.rating), 2),
         count(f.rating),
         round(coalesce(sum(extract(epoch from f.closed_at - f.assigned_at)), 0) / 60, 1)
  from filtered f
  group by f.k
  order by count(*) desc;
end
$$;
comment on function public.analytics_breakdown(uuid, timestamptz, timestamptz, uuid, text) is
  'Chats, average wait / first response / handling (s), satisfaction and chat minutes per agent, group or client (p_dimension). Security invoker.';
revoke all on function public.analytics_breakdown(uuid, timestamptz, timestamptz, uuid, text) from public, anon;
grant execute on function public.analytics_breakdown(uuid, timestamptz, timestamptz, uuid, text) to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- analytics_top_questions: what visitors ask first, grouped
-- -----------------------------------------------------------------------------
create function public.analytics_top_questions(
  p_org_id uuid, p_from timestamptz, p_to timestamptz, p_client_id uuid default null,
  p_limit integer default 10
)
returns table (question text, chats bigint, last_asked_at timestamptz)
language sql stable security invoker set search_path = '' as $$
  with firsts as (
    select distinct on (m.conversation_id) m.body, m.created_at
    from private.analytics_conversations(p_org_id, p_from, p_to, p_client_id) c
    join public.messages m on m.conversation_id = c.id and m.sender_kind = 'visitor'
    order by m.conversation_id, m.seq
  )
  -- Same words, same question: case, spacing and trailing punctuation do not split a group.
  select min(f.body), count(*), max(f.created_at)
  from firsts f
  group by lower(regexp_replace(btrim(f.body), '[\s[:punct:]]+', ' ', 'g'))
  order by count(*) desc, max(f.created_at) desc
  limit least(greatest(coalesce(p_limit, 10), 1), 100)
$$;
comment on function public.analytics_top_questions(uuid, timestamptz, timestamptz, uuid, integer) is
  'The most frequent first visitor messages (normalized for case, spacing and punctuation), at most 100. Security invoker.';
revoke all on function public.analytics_top_questions(uuid, timestamptz, timestamptz, uuid, integer) from public, anon;
grant execute on function public.analytics_top_questions(uuid, timestamptz, timestamptz, uuid, integer) to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- analytics_client_usage: chats and chat minutes per client and month (invoicing)
-- -----------------------------------------------------------------------------
create function public.analytics_client_usage(
  p_org_id uuid, p_from timestamptz, p_to timestamptz, p_client_id uuid default null,
  p_time_zone text default 'UTC'
)
returns table (month date, client_id uuid, client_name text, chats bigint, chat_minutes numeric)
language sql stable security invoker set search_path = '' as $$
  select date_trunc('month', c.created_at at time zone p_time_zone)::date,
         c.client_id,
         (select cl.name from public.clients cl where cl.id = c.client_id),
         count(*),
         round(coalesce(sum(extract(epoch from c.closed_at - c.assigned_at)), 0) / 60, 1)
  from private.analytics_conversations(p_org_id, p_from, p_to, p_client_id) c
  group by 1, 2
  order by 1, 3
$$;
comment on function public.analytics_client_usage(uuid, timestamptz, timestamptz, uuid, text) is
  'Usage per client and calendar month (in p_time_zone): chats and chat minutes (sum of handling time), for invoicing. Security invoker.';
revoke all on function public.analytics_client_usage(uuid, timestamptz, timestamptz, uuid, text) from public, anon;
grant execute on function public.analytics_client_usage(uuid, timestamptz, timestamptz, uuid, text) to authenticated, service_role;

-- =============================================================================
-- History search
-- =============================================================================

-- -----------------------------------------------------------------------------
-- search_conversation_ids: which conversations said these words
-- -----------------------------------------------------------------------------
-- PostgREST's fts filter applies the text-search configuration to the query only
-- (to_tsvector(body) @@ to_tsquery('simple', …)), which neither matches the
-- 'simple' tokens nor uses messages_body_search_idx. This states the indexed
-- expression exactly.
create function public.search_conversation_ids(p_org_id uuid, p_query text, p_limit integer default 1000)
returns table (conversation_id uuid)
language sql stable security invoker set search_path = '' as $$
  select m.conversation_id
  from public.messages m
  where m.org_id = p_org_id
    and to_tsvector('simple', m.body) @@ websearch_to_tsquery('simple', p_query)
  group by m.conversation_id
  order by max(m.created_at) desc
  limit least(greatest(coalesce(p_limit, 1000), 1), 5000)
$$;
comment on function public.search_conversation_ids(uuid, text, integer) is
  'Conversations of one organization whose messages match p_query (websearch syntax, ''simple'' configuration, served by messages_body_search_idx), newest first. Security invoker: a client_viewer never matches internal notes.';
revoke all on function public.search_conversation_ids(uuid, text, integer) from public, anon;
grant execute on function public.search_conversation_ids(uuid, text, integer) to authenticated, service_role;
