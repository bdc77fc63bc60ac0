/**
 * The realtime side of the server: WebSocket upgrades, connections and the frame handlers.
 * server.ts hands it upgrade requests; it never sees HTTP routes. This file only wires the
 * modules together and owns the instance-wide timers (heartbeats) and shutdown.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from '@chat/shared';
import type { AppContext } from '../context.ts';
import { createMessageWriter } from '../conversations/message-writer.ts';
import { clientIp } from '../http/client-ip.ts';
import { createMailer, type Mailer } from '../mail/index.ts';
import { createRouting } from '../routing/index.ts';
import { createFileStorage } from '../storage/index.ts';
import { createAccess } from './access.ts';
import { authenticate } from './authenticate.ts';
import { createConnections } from './connection.ts';
import { createConversationFeed } from './conversation-feed.ts';
import { createSendError } from './frame-error.ts';
import { createHandlers, type HandlerTable } from './handlers/index.ts';
import type { HandlerDeps } from './handlers/types.ts';
import { stopViewing } from './handlers/viewing.ts';
import { createMembershipWatch } from './membership-watch.ts';
import { createOutbound } from './outbound.ts';
import { createPresence } from './presence.ts';
import { createFrameLimiter } from './rate-limit.ts';
import { Registry } from './registry.ts';
import { createSubscriptionAccess } from './subscription-access.ts';
import { createViewers } from './viewers.ts';
import { createWsUpgrader } from './ws-upgrade.ts';

export interface Realtime {
  /** Takes over an HTTP upgrade on WS_PATH (auth, origin and version checks included). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open connections on this instance. */
  connectionCount(): number;
  /** Shutdown: tell every client to reconnect elsewhere (4012), wait up to `graceMs` for them to go. */
  drain(graceMs: number): Promise<void>;
  /** Stops timers and subscriptions. After drain(). */
  close(): Promise<void>;
}

/** Enough to amortize a statement's fixed cost; small enough that one batch stays a few ms. */
const MAX_MESSAGES_PER_STATEMENT = 100;

export function createRealtime(app: AppContext, mailer: Mailer = createMailer(app.config)): Realtime {
  const { config } = app;
  const log = app.log.child({ module: 'realtime' });
  const registry = new Registry();
  const attachments = { storage: createFileStorage(config), ttlSeconds: config.fileUrlTtlSeconds };
  const viewers = createViewers();
  const outbound = createOutbound({
    maxBufferedBytes: config.wsSendBufferBytes,
    end: (session, code, reason) => connections.end(session, code, reason),
  });
  const feed = createConversationFeed({
    sql: app.sql,
    pubsub: app.pubsub,
    log,
    registry,
    outbound,
    viewers,
    attachments,
    accessMayEnd: {
      conversationChanged: (id, groupId) => subscriptionAccess.conversationChanged(id, groupId),
      offerEnded: (orgId, userId, id) => subscriptionAccess.offerEnded(orgId, userId, id),
    },
  });
  const presence = createPresence({
    sql: app.sql,
    log,
    registry,
    pubsub: app.pubsub,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    graceMs: config.presenceGraceMs,
    leaveGraceMs: config.presenceLeaveGraceMs,
    publishOrg: (orgId, event) => feed.publishOrg(orgId, event),
    onStatus: (orgId, userId, status) => routing.presenceChanged(orgId, userId, status),
  });
  const routing = createRouting({ sql: app.sql, log, config, feed, registry, mailer });
  const handlerDeps: HandlerDeps = {
    app,
    access: createAccess(app.sql),
    messages: createMessageWriter(app.sql, {
      maxInFlight: config.messageWriteConcurrency,
      maxBatch: MAX_MESSAGES_PER_STATEMENT,
      onBatch: (size) => app.metrics.messageBatchSize.observe(size),
      onBatchFailed: (size, error) =>
        log.warn({ err: error, size }, 'a message batch failed; storing its messages one by one'),
    }),
    feed,
    outbound,
    presence,
    attachments,
    routing,
    renewExpiry: (session, exp) => connections.renewExpiry(session, exp),
    subscriptionAccess: {
      offerEnded: (orgId, userId, id) => subscriptionAccess.offerEnded(orgId, userId, id),
    },
  };
  const sendError = createSendError(outbound, app.metrics);
  const membershipWatch = createMembershipWatch({
    sql: app.sql,
    log,
    registry,
    intervalMs: config.accessRecheckMs,
    end: (session, code, reason) => connections.end(session, code, reason),
  });
  const subscriptionAccess = createSubscriptionAccess({
    sql: app.sql,
    log,
    registry,
    async drop(session, sub) {
      if (session.viewing?.has(sub.ref.id)) await stopViewing(handlerDeps, session, sub.ref);
      feed.unsubscribe(session, sub.ref.id);
      session.access?.delete(sub.ref.id);
      sendError(session, 'not_found', 'You can no longer see this conversation', undefined, sub.ref.id);
    },
  });
  const handlers: HandlerTable = createHandlers(handlerDeps);
  const connections = createConnections({
    app,
    registry,
    feed,
    presence,
    outbound,
    limiter: createFrameLimiter({
      perConnection: config.wsRateLimitPerConnection,
      perIp: config.wsRateLimitPerIp,
    }),
    sendError,
    handlers: () => handlers,
    handlerDeps: () => handlerDeps,
  });
  const upgrader = createWsUpgrader({
    log,
    authenticate: (token, origin, org) => authenticate(app, token, origin, org),
    open: (socket, principal, ip) => connections.open(socket, principal, ip),
    clientIp: (req) => clientIp(req, config.trustProxy),
  });

  // Pub/sub may have dropped events (Redis restarted, or a peer could not publish): re-read.
  const stopResync = app.pubsub.onResync((reason) => {
    log.info({ reason }, 'pub/sub resync: catching every subscription up from Postgres');
    feed.resync().catch((error: unknown) => log.error({ err: error }, 'resync failed'));
  });

  // One timer for every connection: a peer that missed the previous ping is dead.
  const heartbeat = setInterval(() => {
    for (const session of [...registry.sessions]) {
      if (!session.alive) {
        connections.kill(session);
        continue;
      }
      session.alive = false;
      session.socket.ping();
    }
    presence.stamp().catch((error: unknown) => log.warn({ err: error }, 'presence heartbeat failed'));
  }, config.heartbeatIntervalMs);
  heartbeat.unref();

  let closed = false;
  return {
    handleUpgrade(req, socket, head) {
      upgrader.handleUpgrade(req, socket, head);
    },
    connectionCount: () => registry.sessions.size,

    async drain(graceMs) {
      const sockets = [...registry.sessions].map((s) => s.socket);
      for (const session of [...registry.sessions]) {
        connections.end(session, CloseCode.SERVICE_RESTART, 'service_restart');
      }
      // Sessions leave the indexes at once; wait for the sockets' close handshakes to finish.
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && (sockets.some((s) => s.readyState !== 3) || upgrader.pending() > 0)) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      for (const socket of sockets) if (socket.readyState !== 3) socket.terminate();
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      stopResync();
      for (const session of [...registry.sessions]) {
        connections.end(session, CloseCode.SERVICE_RESTART, 'service_restart');
        session.socket.terminate();
      }
      connections.close();
      presence.close();
      subscriptionAccess.close();
      membershipWatch.close();
      routing.close();
      mailer.close();
      feed.close();
      upgrader.close();
      // Messages already handed to the writer are stored (and acked if their socket is still
      // open) before server.ts closes Postgres.
      await handlerDeps.messages.flushed();
    },
  };
}
