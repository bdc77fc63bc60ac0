/**
 * Configuration from the environment, validated once at start. Every error names the variable,
 * so a misconfigured deploy fails in its first log line instead of at the first chat.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The widget's build output in this repository; the Docker image sets WIDGET_DIST_DIR. */
const DEFAULT_WIDGET_DIST_DIR = fileURLToPath(new URL('../../widget/dist', import.meta.url));

/** The Supabase CLI's public local JWT secret: the default only outside production. */
const LOCAL_SUPABASE_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
/** Signs visitor tokens in development. Production must set VISITOR_TOKEN_SECRET. */
const LOCAL_VISITOR_TOKEN_SECRET = 'local-development-visitor-token-secret-not-for-production';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Public base URL of this server, used in signed file URLs. */
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  /** Role the server switches to after connecting (see the chat_server_role migration). */
  DATABASE_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('chat_server'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * Message-batch statements in flight at once (group commit). Fewer means bigger batches and
   * less Postgres work per message under load; at low load every message still goes at once.
   */
  MESSAGE_WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(3),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_SHARDED: bool.default(false),
  SUPABASE_URL: z.url().optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
  SUPABASE_JWT_SECRET: z.string().min(32).optional(),
  VISITOR_TOKEN_SECRET: z.string().min(32).optional(),
  /** How long a visitor token lives; a returning visitor within it resumes their conversation. */
  VISITOR_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Origins allowed to open agent connections (the admin app). */
  ADMIN_ORIGINS: list.default(['http://localhost:5173', 'http://127.0.0.1:5173']),
  STORAGE: z.enum(['local', 'supabase']).default('local'),
  STORAGE_BUCKET: z.string().min(3).default('chat-attachments'),
  UPLOAD_DIR: z.string().min(1).default('.data/uploads'),
  /** Where the built widget (widget.js, widget.css) is served from. */
  WIDGET_DIST_DIR: z.string().min(1).default(DEFAULT_WIDGET_DIST_DIR),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /** Secret for signing file URLs; defaults to the visitor token secret. */
  FILE_URL_SECRET: z.string().min(32).optional(),
  FILE_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3600),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(1000).max(120_000).default(25_000),
  /** Bytes queued for one WebSocket client before it is closed as a slow consumer (4013). */
  WS_SEND_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .default(1024 * 1024),
  /** Frames one connection may send per 10 s (a burst of malformed frames included); over it: rate_limited. */
  WS_RATE_LIMIT_PER_CONNECTION: z.coerce.number().int().min(1).default(1500),
  /** Frames all connections from one IP may send per 10 s. */
  WS_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(6000),
  /** After an agent's last connection drops, how long before colleagues see them offline. */
  PRESENCE_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /**
   * After an agent's last connection closes cleanly (close frame 1000/1001: tab closed, navigated away),
   * how long before they are offline. Short, but long enough for a page reload to reconnect.
   */
  PRESENCE_LEAVE_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(3000),
  /** How often each instance deletes uploads never bound to a message (the visitor left before sending). */
  ORPHAN_UPLOAD_SWEEP_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
  /** How old an unbound upload must be before the sweep deletes it; at least 10 min, so a slow sender keeps theirs. */
  ORPHAN_UPLOAD_MAX_AGE_MS: z.coerce.number().int().min(600_000).max(2_592_000_000).default(86_400_000),
  /** Behind a proxy (Fly): take the client IP from Fly-Client-IP / X-Forwarded-For. Off, a client could fake it. */
  TRUST_PROXY: bool.default(false),
  /** Visitor sessions (POST /v1/widget/session) one IP may create or resume per window. */
  WIDGET_SESSION_RATE_LIMIT: z.coerce.number().int().min(1).default(60),
  /** Widget config reads (GET /v1/widget/config) one IP may make per window. */
  WIDGET_CONFIG_RATE_LIMIT: z.coerce.number().int().min(1).default(300),
  WIDGET_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Routing: offline replies and transcripts go over SMTP when set (smtp:// or smtps://), else to MAILBOX_DIR. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAILBOX_DIR: z.string().min(1).default('.data/mailbox'),
  MAIL_FROM: z.string().min(3).default('Live chat <no-reply@localhost>'),
  /** Routing: how often each instance sweeps offers, queues, idle chats and departed visitors. */
  ROUTING_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Routing: a visitor without a connection for this long "left" (system message; a queued chat closes). */
  VISITOR_LEFT_GRACE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /**
   * How often agent connections' rights (role, client, groups) are compared with the database,
   * for changes made outside the chat server: the admin app edits members and groups in Postgres.
   */
  ACCESS_RECHECK_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof toConfig>;

/** Parses `env` (default: process.env). Throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(parsed.data);
}

function toConfig(e: z.infer<typeof EnvSchema>) {
  const production = e.NODE_ENV === 'production';
  const missing: string[] = [];
  if (production && !e.SUPABASE_JWT_SECRET) missing.push('SUPABASE_JWT_SECRET');
  if (production && !e.VISITOR_TOKEN_SECRET) missing.push('VISITOR_TOKEN_SECRET');
  if (e.STORAGE === 'supabase' && !(e.SUPABASE_URL && e.SUPABASE_SERVICE_ROLE_KEY)) {
    missing.push('SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (STORAGE=supabase)');
  }
  if (missing.length > 0) throw new ConfigError(`Missing configuration: ${missing.join(', ')}`);
  const visitorSecret = e.VISITOR_TOKEN_SECRET ?? LOCAL_VISITOR_TOKEN_SECRET;
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    databaseRole: e.DATABASE_ROLE,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    messageWriteConcurrency: Math.min(e.MESSAGE_WRITE_CONCURRENCY, e.DATABASE_POOL_SIZE),
    redisUrl: e.REDIS_URL,
    redisSharded: e.REDIS_SHARDED,
    supabaseUrl: e.SUPABASE_URL,
    supabaseServiceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY,
    supabaseJwtSecret: e.SUPABASE_JWT_SECRET ?? LOCAL_SUPABASE_JWT_SECRET,
    visitorTokenSecret: visitorSecret,
    visitorTokenTtlSeconds: e.VISITOR_TOKEN_TTL_DAYS * 86_400,
    adminOrigins: e.ADMIN_ORIGINS,
    storage: e.STORAGE,
    storageBucket: e.STORAGE_BUCKET,
    uploadDir: e.UPLOAD_DIR,
    widgetDistDir: e.WIDGET_DIST_DIR,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    fileUrlSecret: e.FILE_URL_SECRET ?? visitorSecret,
    fileUrlTtlSeconds: e.FILE_URL_TTL_SECONDS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    wsSendBufferBytes: e.WS_SEND_BUFFER_BYTES,
    wsRateLimitPerConnection: e.WS_RATE_LIMIT_PER_CONNECTION,
    wsRateLimitPerIp: e.WS_RATE_LIMIT_PER_IP,
    presenceGraceMs: e.PRESENCE_GRACE_MS,
    presenceLeaveGraceMs: e.PRESENCE_LEAVE_GRACE_MS,
    orphanUploadSweepMs: e.ORPHAN_UPLOAD_SWEEP_MS,
    orphanUploadMaxAgeMs: e.ORPHAN_UPLOAD_MAX_AGE_MS,
    trustProxy: e.TRUST_PROXY,
    widgetSessionRateLimit: e.WIDGET_SESSION_RATE_LIMIT,
    widgetConfigRateLimit: e.WIDGET_CONFIG_RATE_LIMIT,
    widgetRateWindowSeconds: e.WIDGET_RATE_WINDOW_SECONDS,
    logLevel: e.LOG_LEVEL,
    smtpUrl: e.SMTP_URL,
    mailboxDir: e.MAILBOX_DIR,
    mailFrom: e.MAIL_FROM,
    routingSweepMs: e.ROUTING_SWEEP_MS,
    visitorLeftGraceMs: e.VISITOR_LEFT_GRACE_MS,
    accessRecheckMs: e.ACCESS_RECHECK_MS,
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
