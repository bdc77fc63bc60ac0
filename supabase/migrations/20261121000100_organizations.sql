-- =============================================================================
-- Organizations and membership
--
-- An organization is one support firm: the tenant. Everything it owns carries
-- org_id. Membership (org_members) gives a user one role in one organization;
-- every RLS policy in the schema asks the helpers below "which orgs / clients /
-- groups may the current user see?", so they are the heart of tenancy.
--
-- Helpers live in the `private` schema, which PostgREST does not expose. They are
-- security definer (they read org_members without recursing into its own RLS)
-- with an empty search_path, and policies call them as (select private.fn()) so
-- Postgres evaluates them once per statement instead of once per row.
-- =============================================================================

create schema if not exists private;
comment on schema private is 'Helpers for RLS policies and triggers. Not exposed through PostgREST.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- Types
-- -----------------------------------------------------------------------------
create type public.org_role as enum ('owner', 'admin', 'manager', 'agent', 'client_viewer');
comment on type public.org_role is
  'owner > admin > manager > agent are the firm''s staff; client_viewer is a client''s own reviewer, scoped to one client.';

-- -----------------------------------------------------------------------------
-- organizations
-- -----------------------------------------------------------------------------
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is
  'A support firm: the tenant. Its id is the org_id every tenant-owned row carries. Created only through public.create_organization().';

-- -----------------------------------------------------------------------------
-- org_members
-- -----------------------------------------------------------------------------
create table public.org_members (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.org_role not null,
  -- A client_viewer sees exactly one client's data; staff are bound to none.
  client_id uuid,
  display_name text not null default '' check (length(display_name) <= 200),
  email text not null default '' check (length(email) <= 320),
  -- Ceiling on concurrent chats a manager sets; an agent may choose less, never more.
  max_chats integer not null default 5 check (max_chats between 0 and 100),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, user_id),
  constraint client_viewer_has_client check ((role = 'client_viewer') = (client_id is not null))
);
comment on table public.org_members is
  'A user''s role in an organization. client_id binds a client_viewer to one client. Inactive members lose all access.';
create index org_members_user_id_idx on public.org_members (user_id);
create index org_members_client_id_idx on public.org_members (client_id) where client_id is not null;

-- -----------------------------------------------------------------------------
-- Membership helpers (used by every policy)
-- -----------------------------------------------------------------------------
create function private.member_org_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select m.org_id from public.org_members m where m.user_id = (select auth.uid()) and m.active
$$;
comment on function private.member_org_ids() is 'Organizations where the current user is an active member, in any role.';

create function private.staff_org_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select m.org_id from public.org_members m
  where m.user_id = (select auth.uid()) and m.active and m.role <> 'client_viewer'
$$;
comment on function private.staff_org_ids() is 'Organizations where the current user is staff (owner, admin, manager or agent).';

create function private.manager_org_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select m.org_id from public.org_members m
  where m.user_id = (select auth.uid()) and m.active and m.role in ('owner', 'admin', 'manager')
$$;
comment on function private.manager_org_ids() is 'Organizations the current user manages (owner, admin or manager).';

create function private.admin_org_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select m.org_id from public.org_members m
  where m.user_id = (select auth.uid()) and m.active and m.role in ('owner', 'admin')
$$;
comment on function private.admin_org_ids() is 'Organizations the current user administers (owner or admin): members and roles.';

create function private.owner_org_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select m.org_id from public.org_members m
  where m.user_id = (select auth.uid()) and m.active and m.role = 'owner'
$$;
comment on function private.owner_org_ids() is 'Organizations the current user owns. Only owners create, change or remove owners.';

create function private.viewer_client_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select m.client_id from public.org_members m
  where m.user_id = (select auth.uid()) and m.active and m.role = 'client_viewer'
$$;
comment on function private.viewer_client_ids() is 'Clients whose data the current user may review as a client_viewer.';

revoke all on function private.member_org_ids(), private.staff_org_ids(), private.manager_org_ids(),
  private.admin_org_ids(), private.owner_org_ids(), private.viewer_client_ids() from public, anon;
grant execute on function private.member_org_ids(), private.staff_org_ids(), private.manager_org_ids(),
  private.admin_org_ids(), private.owner_org_ids(), private.viewer_client_ids() to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- Shared triggers
-- -----------------------------------------------------------------------------
create function private.touch_updated_at()
returns trigger language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.touch_updated_at() is 'Keeps updated_at current on every update.';

create trigger organizations_touch before update on public.organizations
  for each row execute function private.touch_updated_at();
create trigger org_members_touch before update on public.org_members
  for each row execute function private.touch_updated_at();

create function private.org_members_keep_an_owner()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  -- Demoting, deactivating or removing the last active owner would orphan the organization.
  if old.role = 'owner' and old.active
     and (tg_op = 'DELETE' or new.role <> 'owner' or not new.active)
     and not exists (
       select 1 from public.org_members m
       where m.org_id = old.org_id and m.role = 'owner' and m.active and m.user_id <> old.user_id
     )
     and exists (select 1 from public.organizations o where o.id = old.org_id) then
    raise exception 'An organization must keep at least one active owner'
      using errcode = 'check_violation', hint = 'Make another member owner first.';
  end if;
  return coalesce(new, old);
end
$$;
comment on function private.org_members_keep_an_owner() is
  'Refuses to remove, demote or deactivate the last active owner of an organization (allowed when the organization itself is being deleted).';

create trigger org_members_keep_an_owner before update or delete on public.org_members
  for each row execute function private.org_members_keep_an_owner();

-- -----------------------------------------------------------------------------
-- create_organization(): the only way to make an organization
-- -----------------------------------------------------------------------------
create function public.create_organization(org_name text, org_slug text)
returns public.organizations language plpgsql security definer set search_path = '' as $$
declare
  org public.organizations;
  caller uuid := (select auth.uid());
begin
  if caller is null then
    raise exception 'Sign in to create an organization' using errcode = 'insufficient_privilege';
  end if;
  insert into public.organizations (name, slug) values (org_name, org_slug) returning * into org;
  insert into public.org_members (org_id, user_id, role, email)
  values (org.id, caller, 'owner', coalesce((select auth.email()), ''));
  return org;
end
$$;
comment on function public.create_organization(text, text) is
  'Creates an organization with the caller as its owner, in one transaction, so no organization exists without an owner.';
revoke all on function public.create_organization(text, text) from public, anon;
grant execute on function public.create_organization(text, text) to authenticated;

-- -----------------------------------------------------------------------------
-- RLS: organizations
-- -----------------------------------------------------------------------------
alter table public.organizations enable row level security;
revoke all on table public.organizations from anon, authenticated;
grant select, update, delete on table public.organizations to authenticated;
grant all on table public.organizations to service_role;

create policy organizations_select on public.organizations for select to authenticated
  using (id in (select private.member_org_ids()));
create policy organizations_update on public.organizations for update to authenticated
  using (id in (select private.admin_org_ids()))
  with check (id in (select private.admin_org_ids()));
create policy organizations_delete on public.organizations for delete to authenticated
  using (id in (select private.owner_org_ids()));

-- -----------------------------------------------------------------------------
-- RLS: org_members
-- -----------------------------------------------------------------------------
alter table public.org_members enable row level security;
revoke all on table public.org_members from anon, authenticated;
grant select, insert, update, delete on table public.org_members to authenticated;
grant all on table public.org_members to service_role;

-- Staff see their colleagues; a client_viewer sees only their own membership. A deactivated
-- member sees nothing at all, not even their own row.
create policy org_members_select on public.org_members for select to authenticated
  using (org_id in (select private.staff_org_ids()) or (user_id = (select auth.uid()) and active));
-- Admins manage members; only owners may create, change or remove an owner.
create policy org_members_insert on public.org_members for insert to authenticated
  with check (
    org_id in (select private.admin_org_ids())
    and (role <> 'owner' or org_id in (select private.owner_org_ids()))
  );
create policy org_members_update on public.org_members for update to authenticated
  using (
    org_id in (select private.admin_org_ids())
    and (role <> 'owner' or org_id in (select private.owner_org_ids()))
  )
  with check (
    org_id in (select private.admin_org_ids())
    and (role <> 'owner' or org_id in (select private.owner_org_ids()))
  );
create policy org_members_delete on public.org_members for delete to authenticated
  using (
    org_id in (select private.admin_org_ids())
    and (role <> 'owner' or org_id in (select private.owner_org_ids()))
  );
