-- =============================================================================
-- Agent status and presence
--
-- What an agent has chosen (online / away / offline, and how many chats they
-- want at most, within the manager's ceiling in org_members.max_chats) is stored
-- here so every chat-server instance and the admin app agree on it. Live
-- heartbeats travel over pub/sub; last_seen_at records the latest one persisted.
-- =============================================================================

create table public.agent_status (
  org_id uuid not null,
  user_id uuid not null,
  status text not null default 'offline' check (status in ('online', 'away', 'offline')),
  -- The agent's own choice; routing uses least(max_chats, org_members.max_chats).
  max_chats integer not null default 5 check (max_chats between 0 and 100),
  last_seen_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (org_id, user_id),
  foreign key (org_id, user_id) references public.org_members (org_id, user_id) on delete cascade
);
comment on table public.agent_status is 'An agent''s chosen availability and chat limit, shared by all chat-server instances.';
create index agent_status_user_id_idx on public.agent_status (user_id);
create trigger agent_status_touch before update on public.agent_status
  for each row execute function private.touch_updated_at();

alter table public.agent_status enable row level security;
revoke all on table public.agent_status from anon, authenticated;
grant select, insert, update, delete on table public.agent_status to authenticated;
grant all on table public.agent_status to service_role;

-- Colleagues see each other's availability (transfer and consult need it).
create policy agent_status_select on public.agent_status for select to authenticated
  using (org_id in (select private.staff_org_ids()));
-- Each agent sets only their own status.
create policy agent_status_insert on public.agent_status for insert to authenticated
  with check (user_id = (select auth.uid()) and org_id in (select private.staff_org_ids()));
create policy agent_status_update on public.agent_status for update to authenticated
  using (user_id = (select auth.uid()) and org_id in (select private.staff_org_ids()))
  with check (user_id = (select auth.uid()) and org_id in (select private.staff_org_ids()));
create policy agent_status_delete on public.agent_status for delete to authenticated
  using (user_id = (select auth.uid()) and org_id in (select private.staff_org_ids()));

create function private.agent_status_within_ceiling()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  ceiling integer;
begin
  select m.max_chats into ceiling from public.org_members m where m.org_id = new.org_id and m.user_id = new.user_id;
  if new.max_chats > ceiling then
    raise exception 'max_chats % is above the limit of % your manager set', new.max_chats, ceiling
      using errcode = 'check_violation';
  end if;
  return new;
end
$$;
comment on function private.agent_status_within_ceiling() is
  'An agent may lower their own chat limit but never raise it above the ceiling in org_members.max_chats.';
create trigger agent_status_within_ceiling before insert or update on public.agent_status
  for each row execute function private.agent_status_within_ceiling();
