/**
 * Size limits of the protocol. Field limits match the database's check constraints, so a
 * frame that validates here never fails on insert for its length.
 */

/** Largest message body, in UTF-16 code units as JavaScript and Postgres `length()` count them (messages.body). */
export const MAX_BODY_LENGTH = 20_000;

/**
 * Largest client frame the server reads, in UTF-8 bytes. A maximal body can take up to six
 * bytes per character once JSON-escaped, so this leaves room for it; larger frames get a
 * `frame_too_large` error and the connection stays up.
 */
export const MAX_FRAME_BYTES = 128 * 1024;

/** Hard transport cap (ws `maxPayload`): above it the socket is closed with 1009 without reading. */
export const MAX_TRANSPORT_PAYLOAD_BYTES = 1024 * 1024;

/** Longest client message id (messages.client_msg_id). */
export const MAX_CLIENT_MSG_ID_LENGTH = 100;

/** Longest access token in `auth.refresh` (a Supabase JWT is ~1 KB; custom claims can grow it). */
export const MAX_TOKEN_LENGTH = 8_192;

/** Longest client request id (`ref`), echoed back in the answer. */
export const MAX_REF_LENGTH = 64;

/** Longest topic (conversations.topic). */
export const MAX_TOPIC_LENGTH = 200;

/** Longest visitor name (visitors.name). */
export const MAX_NAME_LENGTH = 200;

/** Longest visitor email (visitors.email). */
export const MAX_EMAIL_LENGTH = 320;

/** Most pre-chat answers in one `conversation.start`. */
export const MAX_PRECHAT_FIELDS = 20;

/** Longest pre-chat field key. */
export const MAX_PRECHAT_KEY_LENGTH = 64;

/** Longest pre-chat answer. */
export const MAX_PRECHAT_VALUE_LENGTH = 1_000;

/** Longest page URL in a page view. */
export const MAX_URL_LENGTH = 2_048;

/** Longest visitor language tag, BCP 47 (conversations.language). */
export const MAX_LANGUAGE_LENGTH = 35;

/** Longest page title in a page view. */
export const MAX_TITLE_LENGTH = 500;

/** Longest rating comment (conversations.feedback). */
export const MAX_FEEDBACK_LENGTH = 5_000;

/** Longest note attached to a transfer, invite or declined offer. */
export const MAX_NOTE_LENGTH = 2_000;

/** Most attachments on one message. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/** Messages in one `sync` page when the client does not ask for fewer. */
export const SYNC_PAGE_SIZE = 100;

/** The most a client may ask for in one `sync` page. */
export const MAX_SYNC_PAGE_SIZE = 500;

/** Highest per-agent chat limit (agent_status.max_chats). */
export const MAX_CHATS_LIMIT = 100;

/** The widget sends at most one `draft` frame per this interval while the visitor types. */
export const DRAFT_THROTTLE_MS = 500;

/** A `typing` on is refreshed at most this often; the receiver drops it after `TYPING_TIMEOUT_MS` without one. */
export const TYPING_REFRESH_MS = 3_000;

/** How long a typing indicator lasts without a refresh or an explicit off. */
export const TYPING_TIMEOUT_MS = 6_000;
