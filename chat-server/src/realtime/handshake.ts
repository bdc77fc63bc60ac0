/**
 * Reading the upgrade request: the protocol version from `?v=`, the organization an agent works in
 * from `&org=` (optional) and the token from the offered subprotocols (`chat, bearer.<token>`).
 * Pure, so every malformed case is a unit test.
 */
import { CloseCode, PROTOCOL_VERSION, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '@chat/shared';

export type HandshakeResult =
  | {
      ok: true;
      token: string;
      /** The `org` parameter as given (agents: the organization they work in); absent if not sent. */
      org?: string;
    }
  | { ok: false; code: CloseCode; reason: string };

export function readHandshake(url: string | undefined, protocolHeader: string | undefined): HandshakeResult {
  const query = new URLSearchParams((url ?? '').split('?')[1] ?? '');
  const v = query.get('v');
  if (v === null || !/^\d{1,6}$/.test(v)) {
    return { ok: false, code: CloseCode.BAD_HANDSHAKE, reason: 'the URL needs ?v=<protocol version>' };
  }
  if (Number(v) !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: CloseCode.PROTOCOL_VERSION_MISMATCH,
      reason: `this server speaks protocol version ${PROTOCOL_VERSION}`,
    };
  }
  // Passed on as given: only agents use it (authenticate.ts checks it), visitors ignore it.
  const org = query.get('org');
  const offered = (protocolHeader ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!offered.includes(WS_SUBPROTOCOL)) {
    return { ok: false, code: CloseCode.BAD_HANDSHAKE, reason: `offer the "${WS_SUBPROTOCOL}" subprotocol` };
  }
  const bearer = offered.find((p) => p.startsWith(WS_TOKEN_SUBPROTOCOL_PREFIX));
  const token = bearer?.slice(WS_TOKEN_SUBPROTOCOL_PREFIX.length) ?? '';
  if (!token) {
    return { ok: false, code: CloseCode.UNAUTHORIZED, reason: 'no token (offer "bearer.<token>")' };
  }
  return org === null ? { ok: true, token } : { ok: true, token, org };
}
