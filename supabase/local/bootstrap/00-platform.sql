-- =====================================================================================================
-- Platform bootstrap: what a hosted Supabase project already has before our first migration runs.
--
-- The local stack runs this (then 10-auth.sql, owned by the auth stand-in) on every start, before
-- supabase/migrations. It must stay idempotent: every object is created only if it is missing, so a
-- second start, or a DATABASE_URL pointing at a database that already has these objects, changes
-- nothing. It deliberately leaves existing roles' passwords and settings alone.
--
-- Not here: the `auth` schema (bootstrap/10-auth.sql).
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- Roles. PostgREST logs in as `authenticator` and switches to the role named in the JWT: `anon` with no
-- token, `authenticated` for a signed-in user, `service_role` for the service key (which bypasses RLS).
-- They are `noinherit` so that switching is the only way to gain their privileges, as on hosted.
-- The passwords are the local superuser's, as the Supabase CLI does; they matter only on this machine.
-- -----------------------------------------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
    -- Hosted limits: an anonymous request should never hold the database for long.
    alter role anon set statement_timeout = '3s';
  end if;

  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
    alter role authenticated set statement_timeout = '8s';
  end if;

  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;

  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
    alter role authenticator set statement_timeout = '8s';
  end if;

  -- Supabase Auth's own login; it owns the auth schema and may create roles, nothing more.
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole password 'postgres';
  end if;

  -- `authenticator` must be able to SET ROLE to each API role. Granting only when missing keeps
  -- re-runs quiet (Postgres 16+ reports a notice for a repeated grant).
  if not pg_catalog.pg_has_role('authenticator', 'anon', 'member') then
    grant anon to authenticator;
  end if;
  if not pg_catalog.pg_has_role('authenticator', 'authenticated', 'member') then
    grant authenticated to authenticator;
  end if;
  if not pg_catalog.pg_has_role('authenticator', 'service_role', 'member') then
    grant service_role to authenticator;
  end if;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- Extensions live in their own schema on hosted Supabase, so `public` holds only our objects.
-- PostgREST gets `extensions` on its search path (PGRST_DB_EXTRA_SEARCH_PATH), so
-- `gen_random_uuid()`/`similarity()` resolve in API requests as they do on hosted.
-- -----------------------------------------------------------------------------------------------------
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

grant usage on schema public, extensions to anon, authenticated, service_role;

-- Hosted gives the `postgres` role (which runs migrations and the SQL editor) `extensions` on its search
-- path, so unqualified calls such as `similarity()` in a migration resolve there as well. Set only when
-- the role has no search_path of its own yet, so a deliberate setting is never overwritten.
do $$
begin
  if exists (select from pg_catalog.pg_roles where rolname = 'postgres')
     and not exists (
       select from pg_catalog.pg_db_role_setting s
       join pg_catalog.pg_roles r on r.oid = s.setrole
       where r.rolname = 'postgres' and s.setdatabase = 0
         and exists (select from unnest(s.setconfig) c where c like 'search_path=%')
     ) then
    alter role postgres set search_path = "$user", public, extensions;
  end if;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- Hosted default privileges: every new table, function and sequence in `public` is granted in full to
-- the API roles. RLS (and explicit revokes in our migrations) is what actually restricts them, so we
-- replicate this on purpose: migrations that forget to revoke must fail our RLS tests here exactly as
-- they would be exposed on hosted. Applies to objects created by the role running this file, which is
-- the role that runs the migrations (postgres).
-- -----------------------------------------------------------------------------------------------------
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

-- -----------------------------------------------------------------------------------------------------
-- Hosted projects reload PostgREST's schema cache after every DDL statement through these two event
-- triggers, so a table created at runtime is visible to the API without a restart.
-- -----------------------------------------------------------------------------------------------------
create or replace function extensions.pgrst_ddl_watch() returns event_trigger
language plpgsql
as $$
begin
  notify pgrst, 'reload schema';
end;
$$;

create or replace function extensions.pgrst_drop_watch() returns event_trigger
language plpgsql
as $$
begin
  notify pgrst, 'reload schema';
end;
$$;

do $$
begin
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'pgrst_ddl_watch') then
    create event trigger pgrst_ddl_watch on ddl_command_end execute procedure extensions.pgrst_ddl_watch();
  end if;
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'pgrst_drop_watch') then
    create event trigger pgrst_drop_watch on sql_drop execute procedure extensions.pgrst_drop_watch();
  end if;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- Migration history, in the shape the Supabase CLI writes it (`supabase db push` / `migration list`):
-- version is the file name's numeric prefix, name the rest, statements the file split into statements.
-- -----------------------------------------------------------------------------------------------------
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
