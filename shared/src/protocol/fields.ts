/**
 * Field schemas used by many frames. Written with `zod/mini` so the widget's bundle
 * stays small; the server uses the same schemas (zod/mini and zod share one core).
 */
import * as z from 'zod/mini';
import { MAX_BODY_LENGTH, MAX_CLIENT_MSG_ID_LENGTH, MAX_REF_LENGTH } from './limits.ts';

/**
 * A database id. Any 8-4-4-4-12 hex string is accepted, not only RFC 4122 versions,
 * because Postgres `uuid` accepts them too (the seed data uses such ids).
 */
export const Id = z.guid();

/** A client request id, echoed in the answer to the frame that carried it. */
export const Ref = z.string().check(z.minLength(1), z.maxLength(MAX_REF_LENGTH));

/** The sender's own id for a message, which makes resends idempotent (messages.client_msg_id). */
export const ClientMsgId = z.string().check(z.minLength(1), z.maxLength(MAX_CLIENT_MSG_ID_LENGTH));

/** A message sequence number: 1 for a conversation's first message, 0 for "nothing yet". */
export const Seq = z.int().check(z.minimum(0));

/** A message body (messages.body). */
export const Body = z.string().check(z.maxLength(MAX_BODY_LENGTH));

/** An ISO 8601 timestamp with `Z` or an offset, e.g. `2026-11-21T09:30:00.000Z`. */
export const IsoTime = z.iso.datetime({ offset: true });

/** Bounded text: a string of at most `max` characters. */
export function text(max: number) {
  return z.string().check(z.maxLength(max));
}

/** Conversation status (public.conversation_status). */
export const ConversationStatus = z.enum(['queued', 'active', 'closed', 'offline']);

/** Who wrote a message (public.sender_kind); `note` is internal and never reaches a visitor. */
export const SenderKind = z.enum(['visitor', 'agent', 'system', 'note']);

/** An agent's availability (agent_status.status); away and offline stop new offers. */
export const PresenceStatus = z.enum(['online', 'away', 'offline']);

/** An organization role (public.org_role). */
export const OrgRole = z.enum(['owner', 'admin', 'manager', 'agent', 'client_viewer']);
