-- =============================================================================
-- Routing in batches: many offers of one group in one round trip
--
-- The scheduler used to make one offer per transaction from the server:
-- begin → pick a chat → list candidates (two helper calls per member) → lock
-- the agent → savepoint → insert → release → commit, then two more queries for
-- the offer's preview. With a burst of arrivals that was about ten round trips
-- per offer and the assignment benchmark ran at a sixth of a bare SQL loop.
--
-- private.offer_queued_batch does the same steps inside Postgres, for up to
-- p_max_offers chats of one group per call. The guarantees do not move:
--   - each chat is taken with `for update skip locked`, then checked again for
--     a pending offer with a fresh snapshot (another instance may have offered
--     it and committed after this statement's snapshot was taken);
--   - each agent's agent_status row is taken with `for update skip locked`
--     (held to commit), then their status, load and capacity are read again
--     under that lock; the capacity trigger still recounts on the insert;
--   - the unique index on pending offers still allows one per chat.
-- What a batch saves is work, not checks: the group's candidates (membership,
-- heartbeat, load, capacity, recent performance) are read once per call and
-- kept up to date in arrays as offers are made, instead of per chat.
--
-- The profile also found most of the time spent before any round trip:
-- private.agent_load's count of pending offers (status 'pending' and kind in
-- ('assignment', 'transfer')) matches the predicate of the unique index
-- conversation_offers_one_pending_idx better than that of the per-agent index,
-- so while the table's statistics lag (a burst fills it in seconds, before
-- autovacuum analyzes it) the planner walked every pending offer of every
-- organization for each count — once per candidate per offer, and again in the
-- capacity trigger. The index below matches that predicate and leads with
-- user_id, so the count is an index range however stale the statistics are.
--
-- Eligible (as before, chat-server README, Routing): an active staff member of
-- the group, status online with a heartbeat newer than p_stale_seconds, load
-- (active chats + pending assignment/transfer offers) below least(own,
-- manager's, group limit), the chat's language among the membership's when it
-- lists any (primary subtag: 'de' = 'de-AT'), every required skill, and no
-- decline of this chat in the last minute.
-- Order: fewest earlier offers of this chat first (a timed-out agent goes to
-- the back), then the score, lower first:
--     round(load / capacity + 0.25 × performance, 2)
--     performance = (min(1, median first response / 120 s)
--                    + min(1, median handling / 1800 s)) / 2
-- over the agent's last 20 closed chats (private.agent_routing_stats; 0.5 each
-- without history); ties go to whoever waited longest since their last
-- assignment, then to the lower id.
-- =============================================================================

create index conversation_offers_agent_load_idx on public.conversation_offers (user_id)
  where status = 'pending' and kind in ('assignment', 'transfer');
comment on index public.conversation_offers_agent_load_idx is
  'private.agent_load and the capacity trigger: an agent''s pending assignment and transfer offers.';

-- The other half of an agent's load, the active chats they own: with statistics from before a
-- burst, `org_id = … and assignee_id = … and status = 'active'` was planned on the org_id index
-- (every chat of the organization). This one serves exactly that count.
create index conversations_assignee_active_idx on public.conversations (assignee_id)
  where status = 'active';
comment on index public.conversations_assignee_active_idx is
  'private.agent_load and the scheduler: the active chats an agent owns.';

create function private.offer_queued_batch(
  p_group_id uuid,
  p_stale_seconds integer,
  p_max_offers integer,
  p_skip uuid[] default '{}'
)
-- One row per offer made ('offer'), per chat nobody could take because of its own conditions
-- ('skipped': language, skills or a recent decline; the caller skips it next time), and a last
-- row saying why the call stopped: 'more' (p_max_offers reached: call again), 'busy' (the
-- agents a chat needs are held by another transaction: retry shortly) or 'done'.
returns table (
  kind text,
  offer_id uuid,
  org_id uuid,
  conversation_id uuid,
  user_id uuid,
  expires_at timestamptz
)
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  v_org_id uuid;
  v_timeout integer;
  -- The group's eligible agents, index-aligned; loads and capacities are refreshed under each lock.
  v_users uuid[];
  v_loads integer[];
  v_caps integer[];
  v_perf numeric[];
  v_last timestamptz[];
  -- Agents another transaction holds right now (skipped, not waited for).
  v_busy uuid[] := '{}';
  v_conv record;
  v_cand record;
  v_lang text;
  v_loaded boolean := false;
  v_offers integer := 0;
  v_offered boolean;
  v_any_busy boolean;
  v_online boolean;
  v_load integer;
  v_cap integer;
  v_offer_id uuid;
  v_expires timestamptz;
begin
  select g.org_id, g.offer_timeout_seconds into v_org_id, v_timeout
  from public.groups g where g.id = p_group_id and g.routing_mode = 'auto';
  if not found then
    return query select 'done'::text, null::uuid, null::uuid, null::uuid, null::uuid, null::timestamptz;
    return;
  end if;

  -- Oldest first. Rows are locked as the loop fetches them; a chat another instance holds is skipped.
  for v_conv in
    select c.id, c.language, c.required_skills
    from public.conversations c
    where c.group_id = p_group_id and c.status = 'queued' and c.id <> all(coalesce(p_skip, '{}'))
      -- A count per chat, not `not exists` (as an anti-join it was planned as a walk over every
      -- pending offer per queued chat), and `kind <> 'consult'` rather than `kind in (…)`: the
      -- same rows (the kind's check constraint), but no partial index's predicate matches it,
      -- so the lookup is by conversation_id. With `in`, statistics of a table a burst had just
      -- filled made a full scan of a partial index on another column look as cheap.
      and (select count(*) from public.conversation_offers o
           where o.conversation_id = c.id and o.status = 'pending' and o.kind <> 'consult') = 0
    order by c.queued_at, c.id
    for update of c skip locked
  loop
    if v_offers >= p_max_offers then
      return query select 'more'::text, null::uuid, null::uuid, null::uuid, null::uuid, null::timestamptz;
      return;
    end if;
    -- The cursor's snapshot predates the lock: an offer committed since then shows up only here.
    if exists (
      select 1 from public.conversation_offers o
      where o.conversation_id = v_conv.id and o.status = 'pending' and o.kind <> 'consult')
    then
      continue;
    end if;

    -- The candidates once per call, when the first chat needs them (a sweep over a group whose
    -- chats all have offers already costs one index scan).
    if not v_loaded then
      v_loaded := true;
      -- Eligible now: active staff member of the group, online with a fresh heartbeat; the performance
      -- term counts 0.5 for each median the agent has no history for.
      select array_agg(e.user_id order by e.user_id), array_agg(e.load order by e.user_id),
             array_agg(e.cap order by e.user_id), array_agg(e.perf order by e.user_id),
             array_agg(e.last_assigned_at order by e.user_id)
        into v_users, v_loads, v_caps, v_perf, v_last
      from (
        select gm.user_id,
               -- private.agent_load and private.agent_capacity, inlined: as calls (security definer
               -- functions are never inlined) they were most of a batch's time.
               (select count(*)::integer from public.conversations c
                 where c.org_id = gm.org_id and c.assignee_id = gm.user_id and c.status = 'active')
               + (select count(*)::integer from public.conversation_offers o
                   where o.org_id = gm.org_id and o.user_id = gm.user_id and o.status = 'pending'
                     and o.kind in ('assignment', 'transfer')) as load,
               least(coalesce(s.max_chats, m.max_chats), m.max_chats, coalesce(gm.max_chats, m.max_chats)) as cap,
               (coalesce(least(1, st.median_first_response_seconds / 120.0), 0.5)
                 + coalesce(least(1, st.median_handling_seconds / 1800.0), 0.5)) / 2 as perf,
               st.last_assigned_at
        -- The group's members drive (lateral subqueries behind `offset 0`, so they are not flattened
        -- back into a join the planner may reorder: it started from every online agent of every
        -- organization while the statistics still described empty tables).
        from public.group_members gm
        cross join lateral (
          select m.max_chats from public.org_members m
          where m.org_id = gm.org_id and m.user_id = gm.user_id and m.active and m.role <> 'client_viewer'
          offset 0
        ) m
        cross join lateral (
          select s.max_chats from public.agent_status s
          where s.org_id = gm.org_id and s.user_id = gm.user_id and s.status = 'online'
            and s.last_seen_at > now() - make_interval(secs => p_stale_seconds)
          offset 0
        ) s
        left join lateral (
          select st.median_first_response_seconds, st.median_handling_seconds, st.last_assigned_at
          from private.agent_routing_stats st where st.org_id = gm.org_id and st.user_id = gm.user_id
          offset 0
        ) st on true
        where gm.group_id = p_group_id
      ) e;
      if v_users is null then
        return query select 'done'::text, null::uuid, null::uuid, null::uuid, null::uuid, null::timestamptz;
        return;
      end if;
    end if;

    -- Primary language subtag: 'de-AT' and 'de_AT' match 'de'.
    v_lang := lower(split_part(replace(btrim(v_conv.language), '_', '-'), '-', 1));
    v_offered := false;
    v_any_busy := false;
    for v_cand in
      select e.idx, e.user_id
      from unnest(v_users, v_loads, v_caps, v_perf, v_last)
        with ordinality as e(user_id, load, cap, perf, last_assigned_at, idx)
      join public.group_members gm on gm.group_id = p_group_id and gm.user_id = e.user_id
      where e.load < e.cap
        and (v_lang = '' or cardinality(gm.languages) = 0
             or v_lang = any (select lower(split_part(replace(l, '_', '-'), '-', 1)) from unnest(gm.languages) l))
        and v_conv.required_skills <@ gm.skills
        and not exists (
          select 1 from public.conversation_offers d
          where d.conversation_id = v_conv.id and d.user_id = e.user_id and d.status = 'declined'
            and d.responded_at > now() - interval '60 seconds')
      order by (select count(*) from public.conversation_offers po
                where po.conversation_id = v_conv.id and po.user_id = e.user_id),
               round(e.load::numeric / nullif(e.cap, 0) + 0.25 * e.perf, 2),
               e.last_assigned_at nulls first, e.user_id
    loop
      if v_cand.user_id = any(v_busy) then
        v_any_busy := true;
        continue;
      end if;
      -- The agent's row, held to commit: load changes of this agent wait for us (the trigger
      -- takes the same lock), and what we read below is current. Their membership row too, in
      -- share mode (what the offer's foreign key would take): if it is being deleted (an
      -- organization or member removed while we schedule) we skip the agent instead of waiting
      -- for the deleter while holding chats it wants to delete next (a deadlock).
      select s.status = 'online' and s.last_seen_at > now() - make_interval(secs => p_stale_seconds)
        into v_online
      from public.agent_status s
      join public.org_members m on m.org_id = s.org_id and m.user_id = s.user_id
      where s.org_id = v_org_id and s.user_id = v_cand.user_id
      for update of s skip locked
      for key share of m skip locked;
      if not found then
        v_busy := v_busy || v_cand.user_id;
        v_any_busy := true;
        continue;
      end if;
      -- A new statement, so a new snapshot: whatever the lock's previous holder committed counts.
      -- (The same figures as private.agent_load and private.agent_capacity, which the capacity
      -- trigger runs again on the insert.)
      select (select count(*)::integer from public.conversations c
               where c.org_id = v_org_id and c.assignee_id = v_cand.user_id and c.status = 'active')
             + (select count(*)::integer from public.conversation_offers o
                 where o.org_id = v_org_id and o.user_id = v_cand.user_id and o.status = 'pending'
                   and o.kind in ('assignment', 'transfer')),
             case when v_online and m.active
                  then least(coalesce(s.max_chats, m.max_chats), m.max_chats, coalesce(gm.max_chats, m.max_chats))
                  else 0 end
        into v_load, v_cap
      from public.org_members m
      join public.agent_status s on s.org_id = m.org_id and s.user_id = m.user_id
      left join public.group_members gm on gm.group_id = p_group_id and gm.user_id = m.user_id
      where m.org_id = v_org_id and m.user_id = v_cand.user_id;
      v_load := coalesce(v_load, 0);
      v_cap := coalesce(v_cap, 0);
      v_loads[v_cand.idx] := v_load;
      v_caps[v_cand.idx] := v_cap;
      if v_load >= v_cap then
        continue;
      end if;
      insert into public.conversation_offers (org_id, conversation_id, user_id, kind, expires_at)
      values (v_org_id, v_conv.id, v_cand.user_id, 'assignment', now() + make_interval(secs => v_timeout))
      returning id, conversation_offers.expires_at into v_offer_id, v_expires;
      v_loads[v_cand.idx] := v_load + 1;
      v_offers := v_offers + 1;
      v_offered := true;
      return query select 'offer'::text, v_offer_id, v_org_id, v_conv.id, v_cand.user_id, v_expires;
      exit;
    end loop;

    if v_offered then
      continue;
    end if;
    if v_any_busy then
      return query select 'busy'::text, null::uuid, null::uuid, null::uuid, null::uuid, null::timestamptz;
      return;
    end if;
    -- Nobody for this chat. If it asked for nothing special, the next chat has the same
    -- candidates and nobody either: stop. Otherwise its own conditions may be why: skip it.
    if v_lang = '' and cardinality(v_conv.required_skills) = 0 and not exists (
      select 1 from public.conversation_offers d
      where d.conversation_id = v_conv.id and d.status = 'declined'
        and d.responded_at > now() - interval '60 seconds')
    then
      return query select 'done'::text, null::uuid, null::uuid, null::uuid, null::uuid, null::timestamptz;
      return;
    end if;
    return query select 'skipped'::text, null::uuid, null::uuid, v_conv.id, null::uuid, null::timestamptz;
  end loop;
  return query select 'done'::text, null::uuid, null::uuid, null::uuid, null::uuid, null::timestamptz;
end
$$;
comment on function private.offer_queued_batch(uuid, integer, integer, uuid[]) is
  'The scheduler''s step for one automatic group: offers up to p_max_offers queued chats to the best eligible agents (skip locked on chats and agents; the capacity trigger still checks every offer). See the migration header.';
revoke all on function private.offer_queued_batch(uuid, integer, integer, uuid[]) from public, anon, authenticated;
grant execute on function private.offer_queued_batch(uuid, integer, integer, uuid[]) to chat_server;
