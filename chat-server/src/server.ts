/**
 * createChatServer(): one HTTP server that answers the REST routes and upgrades WebSockets, on one
 * port. Returns close(), which shuts down in order: refuse new upgrades (503), tell clients to
 * reconnect (4012) and drain, stop HTTP, then Redis, then Postgres.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WS_PATH } from '@chat/shared';
import { createOrphanSweep } from './attachments/orphan-sweep.ts';
import { createHs256AgentVerifier } from './auth/agent-token.ts';
import { createVisitorTokens } from './auth/visitor-token.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { createSql } from './db/sql.ts';
import { attachmentRoutes } from './http/attachment-routes.ts';
import { devMailboxRoutes } from './http/dev-mailbox-routes.ts';
import { healthRoutes } from './http/health-routes.ts';
import { createRouter } from './http/router.ts';
import { widgetAssetRoutes } from './http/widget-asset-routes.ts';
import { createWidgetRoutes } from './http/widget-routes.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createPubSub } from './pubsub/index.ts';
import { createRealtime } from './realtime/index.ts';
import { createFileStorage } from './storage/index.ts';

export interface ChatServer {
  /** Base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  app: AppContext;
  close(): Promise<void>;
}

export interface ChatServerOptions {
  /** Overrides the logger built from config (tests pass a silent one). */
  log?: Logger;
}

export async function createChatServer(config: Config, options: ChatServerOptions = {}): Promise<ChatServer> {
  const instanceId = randomBytes(4).toString('hex');
  const log = options.log ?? createLogger(config.logLevel, { instance: instanceId });
  const sql = createSql({ url: config.databaseUrl, role: config.databaseRole, max: config.databasePoolSize });
  let shuttingDown = false;

  // Fail fast on a wrong DATABASE_URL or missing role, with the reason in the log.
  await sql`select 1`.catch(async (error: unknown) => {
    await sql.end({ timeout: 1 });
    throw new Error(`Cannot reach Postgres at DATABASE_URL as role ${config.databaseRole}: ${String(error)}`);
  });
  const pubsub = await createPubSub(
    { redisUrl: config.redisUrl, sharded: config.redisSharded },
    { logger: log.child({ module: 'pubsub' }) },
  ).catch(async (error: unknown) => {
    await sql.end({ timeout: 1 });
    throw error;
  });

  const app: AppContext = {
    config,
    log,
    sql,
    pubsub,
    metrics: createMetrics({ defaultMetrics: config.production }),
    visitorTokens: createVisitorTokens(config.visitorTokenSecret, config.visitorTokenTtlSeconds),
    agentTokens: createHs256AgentVerifier(config.supabaseJwtSecret),
    instanceId,
    isShuttingDown: () => shuttingDown,
  };

  const realtime = createRealtime(app);
  const orphanSweep = createOrphanSweep({
    sql,
    storage: createFileStorage(config),
    log: log.child({ module: 'orphan-uploads' }),
    counter: app.metrics.orphanUploads,
    maxAgeMs: config.orphanUploadMaxAgeMs,
    intervalMs: config.orphanUploadSweepMs,
  });
  const widget = createWidgetRoutes(app);
  const route = createRouter(
    [
      ...healthRoutes(app),
      ...widget.routes,
      ...attachmentRoutes(app),
      ...widgetAssetRoutes(app),
      ...devMailboxRoutes(app),
    ],
    log,
  );
  const server: Server = createServer((req, res) => void route(req, res));
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (shuttingDown) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
      );
      return;
    }
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    realtime.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (error, socket) => {
    log.debug({ err: error }, 'malformed HTTP request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  log.info({ url, pubsub: config.redisUrl ? 'redis' : 'memory' }, 'chat server listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      shuttingDown = true;
      log.info('shutting down: draining connections');
      await realtime.drain(config.shutdownGraceMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await realtime.close();
      // Before Postgres closes: a sweep in progress finishes its batch.
      await orphanSweep.stop();
      await widget.close();
      await pubsub.close().catch((error: unknown) => log.warn({ err: error }, 'closing pub/sub'));
      await sql.end({ timeout: 5 }).catch((error: unknown) => log.warn({ err: error }, 'closing Postgres'));
      log.info('shut down');
    })();
    return closing;
  };

  return { url, port, app, close };
}
