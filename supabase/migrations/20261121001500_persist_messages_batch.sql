-- =============================================================================
-- Persisting many messages in one statement (group commit)
--
-- At a few thousand messages per second the chat server's cost was the
-- fixed price of each message: a round trip and a commit per message, and in
-- Postgres a plpgsql call, a row lock, the seq trigger's own UPDATE of the
-- conversation and an index probe, one message at a time (EXPLAIN ANALYZE of
-- 100 inserts: ~90 µs a message, half of it the trigger, against ~8 µs for a
-- bare INSERT). The chat server's message writer (chat-server/src/
-- conversations/message-writer.ts) now hands everything that queued up while
-- its previous statements were in flight to this function at once, and the
-- function does the work set-wise: one lock statement, one insert, one update
-- per conversation that received messages. At low load a batch is one
-- message.
--
-- The rules are exactly persist_message()'s, per element:
--   not_found  the conversation does not exist in that organization;
--   duplicate  the (conversation, client_msg_id) is stored with the same body
--              and sender: its row again (checked before closed, so a resend
--              of an acked message is still acked after the close);
--   conflict   stored with another body or sender;
--   closed     the conversation is closed;
--   created    stored with the next seq of its conversation, in array order.
-- A client_msg_id repeated inside one batch is a duplicate (or a conflict) of
-- its first occurrence. The batch is one transaction: an ack is only ever
-- sent for a committed row.
-- =============================================================================

-- The seq trigger now only numbers rows inserted without a seq (system lines
-- and any other insert that does not give one); persist_messages() numbers
-- its rows itself under the same row locks (and persist_message() too, from
-- migration 20261121001700). Only chat_server and
-- service_role may insert into public.messages at all (see the grants), and
-- (conversation_id, seq) stays unique, so an explicit seq can never collide.
drop trigger messages_assign_seq on public.messages;
create trigger messages_assign_seq before insert on public.messages
  for each row when (new.seq = 0) execute function private.messages_assign_seq();

create function private.persist_messages(p_messages jsonb)
returns table (
  ord integer,
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
begin
  if jsonb_typeof(p_messages) is distinct from 'array' then
    raise exception 'persist_messages expects a JSON array' using errcode = 'invalid_parameter_value';
  end if;

  -- 1. Lock the conversations in id order, so two batches running at once never each hold a row
  --    the other waits for (no deadlock between instances). "No key update" is the lock an
  --    UPDATE of non-key columns takes: foreign-key checks from other tables are not blocked.
  perform 1
  from public.conversations c
  -- = any(array): probes the primary key per id (an "in (select …)" became a hash of the table).
  where c.id = any (array(select (e ->> 'conversation_id')::uuid from jsonb_array_elements(p_messages) e))
  order by c.id
  for no key update of c;

  -- 2. A new statement, so a new snapshot: it sees every row committed by whoever held a lock
  --    before us, and nobody can add a message to these conversations until we commit.
  return query
  with input as (
    select (x.n - 1)::integer as ord, x.org_id, x.conversation_id, x.client_msg_id, x.sender_kind,
           x.sender_id, x.body, coalesce(x.payload, '{}'::jsonb) as payload,
           -- 1 for the first occurrence of this client_msg_id in the batch.
           row_number() over (partition by x.conversation_id, x.client_msg_id order by x.n) as occurrence
    from rows from (jsonb_to_recordset(p_messages) as (
           org_id uuid, conversation_id uuid, client_msg_id text, sender_kind public.sender_kind,
           sender_id uuid, body text, payload jsonb))
         with ordinality as x(org_id, conversation_id, client_msg_id, sender_kind, sender_id, body,
                              payload, n)
  ),
  classified as (
    select i.*, s as stored,
      case
        when c.id is null then 'not_found'
        when s.id is not null then
          case when s.body = i.body and s.sender_kind = i.sender_kind
                    and s.sender_id is not distinct from i.sender_id
               then 'duplicate' else 'conflict' end
        when c.status = 'closed' then 'closed'
        when i.occurrence > 1 then 'repeat'
        else 'created'
      end as outcome,
      c.last_seq
    -- One primary-key / unique-index probe per element. "offset 0" keeps each lookup a lateral
    -- subquery: flattened into a join, the planner (which guesses 100 rows for any
    -- jsonb_to_recordset) hashes the whole conversations and messages tables instead.
    from input i
    left join lateral (
      select cv.id, cv.status, cv.last_seq from public.conversations cv
      where cv.id = i.conversation_id and cv.org_id = i.org_id
      offset 0
    ) c on true
    left join lateral (
      select m.* from public.messages m
      where m.conversation_id = i.conversation_id and m.client_msg_id = i.client_msg_id
      offset 0
    ) s on true
  ),
  inserted as (
    insert into public.messages as m
      (org_id, conversation_id, seq, client_msg_id, sender_kind, sender_id, body, payload)
    select k.org_id, k.conversation_id,
           k.last_seq + row_number() over (partition by k.conversation_id order by k.ord),
           k.client_msg_id, k.sender_kind, k.sender_id, k.body, k.payload
    from classified k
    where k.outcome = 'created'
    returning m.*
  ),
  bumped as (
    update public.conversations c
       set last_seq = c.last_seq + n.added,
           last_message_at = n.last_at,
           first_response_at = case when n.agent_replied and c.first_response_at is null
                                    then n.last_at else c.first_response_at end
      from (select i.conversation_id, count(*) as added, max(i.created_at) as last_at,
                   bool_or(i.sender_kind = 'agent') as agent_replied
            from inserted i group by i.conversation_id) n
     where c.id = n.conversation_id
  )
  -- The row columns are the stored or new row (the caller reads them for created and duplicate
  -- only). A repeat is answered like its first occurrence's row: same body, a duplicate of it.
  select k.ord,
         case when k.outcome <> 'repeat' then k.outcome
              when f.body = k.body and f.sender_kind = k.sender_kind
                   and f.sender_id is not distinct from k.sender_id then 'duplicate'
              else 'conflict' end,
         coalesce(ins.id, (k.stored).id), coalesce(ins.seq, (k.stored).seq),
         coalesce(ins.client_msg_id, (k.stored).client_msg_id),
         coalesce(ins.sender_kind, (k.stored).sender_kind), coalesce(ins.sender_id, (k.stored).sender_id),
         coalesce(ins.body, (k.stored).body), coalesce(ins.payload, (k.stored).payload),
         coalesce(ins.created_at, (k.stored).created_at)
  from classified k
  left join input f on k.outcome = 'repeat' and f.conversation_id = k.conversation_id
       and f.client_msg_id = k.client_msg_id and f.occurrence = 1
  left join inserted ins on ins.conversation_id = k.conversation_id and ins.client_msg_id = k.client_msg_id
  order by k.ord;
end
$$;
comment on function private.persist_messages(jsonb) is
  'Stores a batch of messages in one transaction with persist_message() rules per element (created, duplicate, conflict, closed, not_found), set-wise; one row per element, ord = its index in the array. For the chat server only.';
revoke all on function private.persist_messages(jsonb) from public, anon, authenticated;
grant execute on function private.persist_messages(jsonb) to chat_server;
