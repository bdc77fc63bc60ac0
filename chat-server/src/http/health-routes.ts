/** Liveness, readiness and Prometheus metrics. */
import type { AppContext } from '../context.ts';
import { sendJson } from './respond.ts';
import type { Route } from './router.ts';

export function healthRoutes(app: AppContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      // Alive as long as the process answers: restarts are for hung processes, not for a Redis blip.
      handler: ({ res }) => sendJson(res, 200, { status: 'ok', instance: app.instanceId }),
    },
    {
      method: 'GET',
      path: '/readyz',
      // Ready means new connections would work: not draining, Postgres answers, pub/sub connected.
      handler: async ({ res }) => {
        const checks = {
          shuttingDown: app.isShuttingDown(),
          postgres: await app.sql`select 1`.then(
            () => true,
            () => false,
          ),
          pubsub: app.pubsub.isConnected(),
        };
        const ready = !checks.shuttingDown && checks.postgres && checks.pubsub;
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async ({ res }) => {
        const body = await app.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': app.metrics.registry.contentType });
        res.end(body);
      },
    },
  ];
}
