/**
 * The only module that knows `ws`. It authenticates in the HTTP upgrade handler, before any
 * connection state exists; a refused client still gets a completed handshake and then the close
 * code that says why, because a browser cannot read the HTTP status of a refused upgrade.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_TRANSPORT_PAYLOAD_BYTES, WS_SUBPROTOCOL } from '@chat/shared';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';
import type { AuthResult } from './authenticate.ts';
import type { ConnectionEvents } from './connection.ts';
import { readHandshake } from './handshake.ts';
import type { Principal } from './principal.ts';
import type { ChatSocket } from './socket.ts';

export interface WsUpgrader {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Upgrades whose authentication is still running. */
  pending(): number;
  close(): void;
}

export function createWsUpgrader(deps: {
  log: Logger;
  authenticate: (token: string, origin: string | undefined, org: string | undefined) => Promise<AuthResult>;
  open: (socket: ChatSocket, principal: Principal, ip: string) => ConnectionEvents;
  clientIp: (req: IncomingMessage) => string;
}): WsUpgrader {
  const { log } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_TRANSPORT_PAYLOAD_BYTES,
    perMessageDeflate: false,
    // Select `chat`, never the bearer entry: the selected subprotocol is echoed in the response.
    handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  let pending = 0;
  // Created once, not per upgrade: a listener made inside handleUpgrade would share its scope's
  // context and keep `req` (headers, the token) alive for as long as the socket lives.
  const onUpgradeSocketError = (error: Error) => log.debug({ err: error }, 'upgrade socket error');

  async function decide(req: IncomingMessage): Promise<AuthResult> {
    const handshake = readHandshake(req.url, req.headers['sec-websocket-protocol']);
    if (!handshake.ok) return handshake;
    return deps.authenticate(handshake.token, req.headers.origin, handshake.org);
  }

  function complete(req: IncomingMessage, socket: Duplex, head: Buffer, result: AuthResult): void {
    // Only until ws owns the socket; ws then listens for its errors itself.
    socket.off('error', onUpgradeSocketError);
    if (socket.destroyed) return;
    // Read now: nothing below may keep the request.
    const ip = result.ok ? deps.clientIp(req) : '';
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!result.ok) {
        ws.close(result.code, result.reason);
        return;
      }
      const chatSocket = new WsChatSocket(ws, log);
      chatSocket.events = deps.open(chatSocket, result.principal, ip);
      attach(ws, chatSocket);
    });
  }

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', onUpgradeSocketError);
      pending++;
      decide(req)
        .catch((error: unknown): AuthResult => {
          log.error({ err: error }, 'authenticating an upgrade failed');
          return { ok: false, code: 4500, reason: 'internal_error' };
        })
        .then((result) => complete(req, socket, head, result))
        .finally(() => {
          pending--;
        });
    },
    pending: () => pending,
    close() {
      wss.close();
    },
  };
}

/*
 * Per connection the transport keeps one WsChatSocket (which holds the connection's events); the
 * ws listeners below are shared functions that find it through one symbol property on the
 * WebSocket (ws calls listeners with `this` = the WebSocket), so an idle connection holds no
 * closures of its own.
 */
const CHAT_SOCKET = Symbol('chat socket');
/** Buffers we send hold UTF-8 JSON: a text frame, like strings. */
const TEXT_FRAME = { binary: false };
type AttachedWs = WebSocket & { [CHAT_SOCKET]: WsChatSocket };

function attach(ws: WebSocket, socket: WsChatSocket): void {
  (ws as AttachedWs)[CHAT_SOCKET] = socket;
  ws.on('message', onMessage);
  ws.on('pong', onPong);
  ws.on('close', onClose);
  ws.on('error', onError);
}

const chatSocketOf = (ws: WebSocket) => (ws as AttachedWs)[CHAT_SOCKET];

function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  chatSocketOf(this).events?.frame(data, isBinary);
}
function onPong(this: WebSocket): void {
  chatSocketOf(this).events?.pong();
}
/** ws reports 1006 when the link dropped without a close frame, 1005 for a frame without a code. */
function onClose(this: WebSocket, code: number): void {
  chatSocketOf(this).events?.closed(code);
}
function onError(this: WebSocket, error: Error): void {
  chatSocketOf(this).log.debug({ err: error }, 'websocket error');
}

/** The ChatSocket the core sees: methods on the prototype, one small object per connection. */
class WsChatSocket implements ChatSocket {
  events: ConnectionEvents | undefined;
  constructor(
    private readonly ws: WebSocket,
    readonly log: Logger,
  ) {}
  get readyState() {
    return this.ws.readyState;
  }
  get bufferedAmount() {
    return this.ws.bufferedAmount;
  }
  send(data: string | Buffer) {
    this.ws.send(data, TEXT_FRAME);
  }
  close(code: number, reason: string) {
    this.ws.close(code, reason);
  }
  terminate() {
    this.ws.terminate();
  }
  ping() {
    this.ws.ping();
  }
  together(send: () => void) {
    // ws corks its net.Socket around each frame (header and payload); corking it around several
    // frames too (cork counts nest) makes them one writev. ws has no public API for its socket.
    const socket = (this.ws as unknown as { _socket?: Duplex })._socket;
    socket?.cork();
    try {
      send();
    } finally {
      socket?.uncork();
    }
  }
}
