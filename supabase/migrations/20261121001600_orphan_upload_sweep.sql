-- =============================================================================
-- Orphan upload sweep (chat server)
--
-- An attachment is uploaded first, unbound (message_id null), and bound when the message that
-- references it is stored. A visitor who closes the tab before sending leaves an unbound row and
-- its file behind for ever. Each chat-server instance now periodically deletes unbound uploads
-- older than ORPHAN_UPLOAD_MAX_AGE_MS (24 h): the stored file through its storage interface, then
-- the row. Role chat_server could select, insert and update attachments, never delete them.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Grant and policy: the chat server may delete attachments
-- -----------------------------------------------------------------------------
-- The server's code only ever deletes unbound rows past the age limit (src/attachments/orphans.ts);
-- like its other policies this one is permissive, tenancy being enforced by that code.
grant delete on public.attachments to chat_server;
create policy attachments_chat_server_delete on public.attachments for delete to chat_server using (true);

-- -----------------------------------------------------------------------------
-- Index: finding old unbound uploads without scanning every attachment
-- -----------------------------------------------------------------------------
-- Bound attachments (nearly all of them) stay out of it; the sweep reads the oldest first.
create index attachments_unbound_created_at_idx on public.attachments (created_at) where message_id is null;
