-- =============================================================================
-- Files of deleted attachments (chat server)
--
-- Deleting a conversation (a manager in the admin app, a client or organization deleted, an
-- erasure request) cascades to its attachment rows, but the stored files live outside Postgres
-- (local disk or Supabase Storage) and stayed behind for ever, unreferenced: data a firm asked to
-- delete, still on disk. Now every deleted attachment row leaves its storage key here, in the
-- same transaction as the delete (a rolled-back delete leaves nothing), and the chat server's
-- upload sweep (src/attachments/orphan-sweep.ts) deletes the file, then the key.
-- =============================================================================

create table private.attachment_files_to_delete (
  storage_key text primary key,
  org_id uuid not null,
  deleted_at timestamptz not null default now()
);
comment on table private.attachment_files_to_delete is
  'Storage keys of deleted attachment rows whose files are still stored; the chat server deletes each file, then its key.';
-- The sweep reads the oldest first.
create index attachment_files_to_delete_deleted_at_idx on private.attachment_files_to_delete (deleted_at);

alter table private.attachment_files_to_delete enable row level security;
revoke all on table private.attachment_files_to_delete from public, anon, authenticated;
-- update: the sweep locks the keys it works on (select … for update skip locked needs it).
grant select, update, delete on table private.attachment_files_to_delete to chat_server;
grant all on table private.attachment_files_to_delete to service_role;
-- Permissive like the chat server's other policies: the key is all it reads, to delete a file.
create policy attachment_files_to_delete_chat_server_select on private.attachment_files_to_delete
  for select to chat_server using (true);
create policy attachment_files_to_delete_chat_server_update on private.attachment_files_to_delete
  for update to chat_server using (true) with check (true);
create policy attachment_files_to_delete_chat_server_delete on private.attachment_files_to_delete
  for delete to chat_server using (true);

-- One statement-level trigger: a conversation with a hundred files costs one INSERT, not a hundred.
-- Security definer, because whoever deletes (a manager through PostgREST, a cascade from a client)
-- has no rights on this private table.
create function private.remember_deleted_attachment_files()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  insert into private.attachment_files_to_delete (storage_key, org_id)
  select gone.storage_key, gone.org_id from gone
  on conflict (storage_key) do nothing;
  return null;
end
$$;
revoke execute on function private.remember_deleted_attachment_files() from public;

create trigger attachments_remember_deleted_files
  after delete on public.attachments
  referencing old table as gone
  for each statement execute function private.remember_deleted_attachment_files();
