/**
 * Reference for idle connections: a bare `ws` server that accepts the same handshake (selects
 * the `chat` subprotocol, same payload cap, no compression) and holds the sockets in a Set. It
 * does nothing else, so our server's memory minus this one is what our app keeps per connection.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_TRANSPORT_PAYLOAD_BYTES, WS_SUBPROTOCOL } from '@chat/shared';
import { type WebSocket, WebSocketServer } from 'ws';

const sockets = new Set<WebSocket>();
const wss = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  maxPayload: MAX_TRANSPORT_PAYLOAD_BYTES,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
});
const server = createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => {});
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ msg: 'reference listening', url: `http://127.0.0.1:${port}` })}\n`,
  );
});
process.on('SIGTERM', () => process.exit(0));
