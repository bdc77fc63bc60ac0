/**
 * Starts a real chat server for a test, on a free port, against the test stack's Postgres (and a
 * real Redis when given). Logs are silent unless CHAT_TEST_VERBOSE=1.
 *
 * The routing sweep (offer expiry, idle warning/close, visitor left, scheduling every waiting
 * group) works on the WHOLE database, and the test files running in parallel share one. A server
 * of another file that sweeps a test's rows publishes the result on its own pub/sub, so the test's
 * sockets never see the frame they wait for, and its locks meet the test's cleanup. So a test
 * server sweeps only once a minute unless its test asks for ROUTING_SWEEP_MS (the routing tests).
 */
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type ChatServer, createChatServer } from '../../src/server.ts';

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  const supabase = inject('supabase');
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: supabase.dbUrl,
    SUPABASE_URL: supabase.url,
    SUPABASE_JWT_SECRET: supabase.jwtSecret,
    SHUTDOWN_GRACE_MS: '2000',
    ROUTING_SWEEP_MS: '60000',
    ...env,
  });
}

export async function startChatServer(env: Record<string, string | undefined> = {}): Promise<ChatServer> {
  const log = createLogger(process.env.CHAT_TEST_VERBOSE === '1' ? 'debug' : 'silent');
  return createChatServer(testConfig(env), { log });
}
