/**
 * The wire protocol version. A client announces the version it speaks in the connection
 * URL (`/v1/ws?v=1`); the server closes a socket that speaks another one with
 * `CloseCode.PROTOCOL_VERSION_MISMATCH`. Bump it only for changes an old client would
 * misread; adding an optional field or a new server frame type the client ignores is not one.
 */
export const PROTOCOL_VERSION = 1;

/** The WebSocket path, versioned with the HTTP API so both can move together. */
export const WS_PATH = '/v1/ws';

/**
 * The subprotocol the server selects. Browsers fail the handshake unless the server picks
 * one of the offered subprotocols, and the other offered entry carries the token
 * (`bearer.<token>`), which must never be echoed back.
 */
export const WS_SUBPROTOCOL = 'chat';

/** Prefix of the subprotocol entry that carries the access token: `bearer.<token>`. */
export const WS_TOKEN_SUBPROTOCOL_PREFIX = 'bearer.';
