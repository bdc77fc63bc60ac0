/**
 * Starts the measured servers as child processes (never inside the bench process, so client
 * work does not pollute their memory or CPU): our chat server (src/main.ts) and the references,
 * all with the same node flags and the memory probe preloaded.
 */
import { resolve } from 'node:path';
import {
  type InstanceProcess,
  REPO_ROOT,
  startInstanceProcess,
} from '../../test/helpers/instance-process.ts';
import { BENCH_VISITOR_SECRET } from './fixtures.ts';
import type { BenchStack } from './stack.ts';

const PROBE = resolve(REPO_ROOT, 'chat-server/bench/servers/memory-probe.ts');
// BENCH_CPU_PROFILE_DIR=dir writes a V8 CPU profile of every server process there (open it in
// Chrome DevTools or speedscope) — how the per-message costs in the README were found.
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
const NODE_ARGS = [
  '--expose-gc',
  '--import',
  'tsx',
  '--import',
  PROBE,
  ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : []),
];
const verbose = process.env.BENCH_VERBOSE === '1';
const onLine = verbose ? (line: string) => console.log(line) : undefined;

export interface MeasuredServer extends InstanceProcess {
  /** process.memoryUsage() in the server process after full GCs. */
  memory(): Promise<NodeJS.MemoryUsage>;
}

export interface OurServerOptions {
  label: string;
  /** With Redis, instances share conversations; without, pub/sub is in-process. */
  redis: boolean;
  env?: Record<string, string>;
  /** Another checkout of this repository to run the chat server from (A/B of our own code). */
  root?: string | undefined;
}

export async function startOurServer(stack: BenchStack, options: OurServerOptions): Promise<MeasuredServer> {
  return measured(
    await startInstanceProcess({
      label: options.label,
      ...(options.root ? { entry: resolve(options.root, 'chat-server/src/main.ts') } : {}),
      nodeArgs: NODE_ARGS,
      ipc: true,
      onLine,
      env: {
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: stack.dbUrl,
        SUPABASE_JWT_SECRET: stack.jwtSecret,
        VISITOR_TOKEN_SECRET: BENCH_VISITOR_SECRET,
        ...(options.redis ? { REDIS_URL: stack.redisUrl } : {}),
        LOG_LEVEL: 'info',
        // Every bench client comes from 127.0.0.1: the per-IP frame limit (600/s by default)
        // would throttle the whole load as one abusive visitor. Per-connection limits stay on.
        WS_RATE_LIMIT_PER_IP: '100000000',
        ...options.env,
      },
    }),
  );
}

export type ReferenceKind = 'bare-ws' | 'relay';

export async function startReference(
  stack: BenchStack,
  kind: ReferenceKind,
  label: string,
  env: Record<string, string> = {},
): Promise<MeasuredServer> {
  return measured(
    await startInstanceProcess({
      label,
      entry: resolve(REPO_ROOT, `chat-server/bench/reference/${kind}.ts`),
      nodeArgs: NODE_ARGS,
      ipc: true,
      onLine,
      readyLine: (line) => {
        if (!line.startsWith('{')) return undefined;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        return entry.msg === 'reference listening' ? entry.url : undefined;
      },
      env: {
        PORT: '0',
        DATABASE_URL: stack.dbUrl,
        REDIS_URL: stack.redisUrl,
        DATABASE_POOL_SIZE: '10',
        ...env,
      },
    }),
  );
}

let nextId = 1;

function measured(instance: InstanceProcess): MeasuredServer {
  return Object.assign(instance, {
    memory(): Promise<NodeJS.MemoryUsage> {
      const id = nextId++;
      return new Promise((resolveMemory, reject) => {
        const timer = setTimeout(() => reject(new Error(`${instance.label}: no memory answer`)), 20_000);
        const onMessage = (message: { id?: number; memory?: NodeJS.MemoryUsage; gc?: boolean }) => {
          if (message?.id !== id || !message.memory) return;
          clearTimeout(timer);
          instance.child.off('message', onMessage);
          if (!message.gc) reject(new Error(`${instance.label}: started without --expose-gc`));
          else resolveMemory(message.memory);
        };
        instance.child.on('message', onMessage);
        instance.child.send({ cmd: 'memory', id });
      });
    },
  });
}

/** Stops servers gracefully (SIGTERM), then for sure (SIGKILL after 5 s). */
export async function stopServers(servers: Array<InstanceProcess | undefined>): Promise<void> {
  await Promise.all(
    servers.map(async (s) => {
      if (!s) return;
      const timer = setTimeout(() => void s.kill('SIGKILL'), 5000);
      await s.kill('SIGTERM');
      clearTimeout(timer);
    }),
  );
}
