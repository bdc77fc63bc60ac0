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
  authenticate: (token: string, origin: string | undefined) => Promise<AuthResult>;
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

  async function decide(req: IncomingMessage): Promise<AuthResult> {
    const handshake = readHandshake(req.url, req.headers['sec-websocket-protocol']);
    if (!handshake.ok) return handshake;
    return deps.authenticate(handshake.token, req.headers.origin);
  }

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', (error) => log.debug({ err: error }, 'upgrade socket error'));
      pending++;
      decide(req)
        .catch((error: unknown): AuthResult => {
          log.error({ err: error }, 'authenticating an upgrade failed');
          return { ok: false, code: 4500, reason: 'internal_error' };
        })
        .then((result) => {
          if (socket.destroyed) return;
          wss.handleUpgrade(req, socket, head, (ws) => {
            if (!result.ok) {
              ws.close(result.code, result.reason);
              return;
            }
            attach(ws, deps.open(adapt(ws), result.principal, deps.clientIp(req)));
          });
        })
        .finally(() => {
          pending--;
        });
    },
    pending: () => pending,
    close() {
      wss.close();
    },
  };

  function attach(ws: WebSocket, events: ConnectionEvents): void {
    ws.on('message', (data, isBinary) => events.frame(data as Buffer, isBinary));
    ws.on('pong', () => events.pong());
    ws.on('close', () => events.closed());
    ws.on('error', (error) => log.debug({ err: error }, 'websocket error'));
  }
}

function adapt(ws: WebSocket): ChatSocket {
  return {
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    ping: () => ws.ping(),
  };
}
