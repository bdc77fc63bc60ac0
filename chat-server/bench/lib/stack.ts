/**
 * The real services every bench part runs against: the Docker-free Supabase stack (embedded
 * Postgres with migrations and seed, in a temp dir, on free ports) and a throwaway redis-server.
 * stop() removes both; run-all.ts calls it on success, failure and Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startLocalSupabase } from '../../../supabase/local/index.ts';
import { type RedisServer, startRedisServer } from '../../test/helpers/redis-server.ts';

export interface BenchStack {
  /** Superuser URL: the chat server switches to its own role after connecting. */
  dbUrl: string;
  jwtSecret: string;
  redisUrl: string;
  redis: RedisServer;
  /** A superuser connection for fixtures and checks (never used while measuring). */
  admin: postgres.Sql;
  stop(): Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-bench-'));
  const supabase = await startLocalSupabase({
    dataDir,
    dbPort: 0,
    gatewayPort: 0,
    persistent: false,
    seed: true,
    log: process.env.BENCH_VERBOSE === '1' ? (line) => console.log(line) : () => {},
  });
  let redis: RedisServer | undefined;
  try {
    redis = await startRedisServer();
  } catch (error) {
    await supabase.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const admin = postgres(supabase.dbUrl, { max: 4, onnotice: () => {} });
  const started = redis;
  let stopping: Promise<void> | undefined;
  return {
    dbUrl: supabase.dbUrl,
    jwtSecret: supabase.jwtSecret,
    redisUrl: redis.url,
    redis,
    admin,
    stop() {
      stopping ??= (async () => {
        await admin.end({ timeout: 2 }).catch(() => {});
        await started.stop().catch(() => {});
        await supabase.stop().catch(() => {});
        await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
