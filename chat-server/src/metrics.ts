/**
 * Prometheus metrics (prom-client). One registry per server instance, not the global one, so
 * several instances in one test process keep their own counts.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    connections: new Gauge({
      name: 'chat_connections',
      help: 'Open WebSocket connections',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    framesReceived: new Counter({
      name: 'chat_frames_received_total',
      help: 'Client frames received, by type (invalid ones as "invalid")',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    messagesPersisted: new Counter({
      name: 'chat_messages_persisted_total',
      help: 'Messages stored (duplicates excluded)',
      labelNames: ['sender_kind'] as const,
      registers: [registry],
    }),
    messageLatency: new Histogram({
      name: 'chat_message_persist_seconds',
      help: 'From receiving message.send to sending its ack (persist + ack)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    messageBatchSize: new Histogram({
      name: 'chat_message_batch_size',
      help: 'Messages stored per database statement (group commit; 1 at low load)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    errorsSent: new Counter({
      name: 'chat_errors_sent_total',
      help: 'Error frames sent, by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'chat_http_requests_total',
      help: 'HTTP requests, by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    orphanUploads: new Counter({
      name: 'chat_orphan_uploads_total',
      help: 'Stored files the upload sweep deleted, by result (deleted: an upload never bound to a message; removed_file: the file of a deleted attachment; failed: storage refused, retried next sweep)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}
