-- =============================================================================
-- persist_message(): fewer row operations per message
--
-- The one-message path (a lone message at low load, and every message with
-- attachments) did: lock the conversation row, probe for the client_msg_id,
-- insert, and inside the insert the seq trigger updated the same row again.
-- It now probes first (a stored row is final: duplicate or conflict without
-- any lock), then bumps the seq with the UPDATE that also takes the row lock
-- and refuses a closed conversation, then inserts with that seq (the seq
-- trigger skips rows that come with one; migration 20261121001500). One row
-- lock and one row version less per message, and no trigger call.
--
-- The race this leaves is a resend of the same client_msg_id arriving while
-- the first is still uncommitted: the probe misses it, the UPDATE waits for
-- the first transaction's row lock, and the INSERT then fails with
-- unique_violation on (conversation_id, client_msg_id), which rolls back the
-- whole statement, seq bump included (no seq is burned). The chat server
-- retries that call once, and the probe then finds the stored row
-- (chat-server/src/conversations/messages.ts).
-- =============================================================================

create or replace function private.persist_message(
  p_org_id uuid,
  p_conversation_id uuid,
  p_client_msg_id text,
  p_sender_kind public.sender_kind,
  p_sender_id uuid,
  p_body text,
  p_payload jsonb
)
returns table (
  outcome text,
  id uuid,
  seq bigint,
  client_msg_id text,
  sender_kind public.sender_kind,
  sender_id uuid,
  body text,
  payload jsonb,
  created_at timestamptz
)
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_seq bigint;
  v_row public.messages;
begin
  -- Duplicate before closed: a resend of an acked message still gets its ack after the close.
  -- The org is checked too, so another organization's ids answer not_found, never its rows.
  select m.* into v_row
  from public.messages m
  where m.conversation_id = p_conversation_id and m.client_msg_id = p_client_msg_id
    and m.org_id = p_org_id;
  if found then
    if v_row.body = p_body and v_row.sender_kind = p_sender_kind
       and v_row.sender_id is not distinct from p_sender_id then
      return query select 'duplicate', v_row.id, v_row.seq, v_row.client_msg_id, v_row.sender_kind,
        v_row.sender_id, v_row.body, v_row.payload, v_row.created_at;
    else
      return query select 'conflict', null::uuid, null::bigint, null::text, null::public.sender_kind,
        null::uuid, null::text, null::jsonb, null::timestamptz;
    end if;
    return;
  end if;

  -- The row lock serializes this conversation's writers and a racing close: whoever commits
  -- first, the other sees it (READ COMMITTED re-checks the status on the locked row).
  update public.conversations c
     set last_seq = c.last_seq + 1,
         last_message_at = now(),
         first_response_at = case when p_sender_kind = 'agent' and c.first_response_at is null
                                  then now() else c.first_response_at end
   where c.id = p_conversation_id and c.org_id = p_org_id and c.status <> 'closed'
  returning c.last_seq into v_seq;
  if v_seq is null then
    return query select
      case when exists (select 1 from public.conversations c
                        where c.id = p_conversation_id and c.org_id = p_org_id)
           then 'closed' else 'not_found' end,
      null::uuid, null::bigint, null::text, null::public.sender_kind, null::uuid, null::text,
      null::jsonb, null::timestamptz;
    return;
  end if;

  insert into public.messages as m
    (org_id, conversation_id, seq, client_msg_id, sender_kind, sender_id, body, payload, created_at)
  values (p_org_id, p_conversation_id, v_seq, p_client_msg_id, p_sender_kind, p_sender_id, p_body,
          coalesce(p_payload, '{}'::jsonb), now())
  returning m.* into v_row;
  return query select 'created', v_row.id, v_row.seq, v_row.client_msg_id, v_row.sender_kind,
    v_row.sender_id, v_row.body, v_row.payload, v_row.created_at;
end
$$;
comment on function private.persist_message(uuid, uuid, text, public.sender_kind, uuid, text, jsonb) is
  'Stores a message once, in one call: outcome created (the new row), duplicate (the stored row), conflict, closed or not_found. A concurrent resend of an uncommitted message raises unique_violation (the caller retries). For the chat server only.';
