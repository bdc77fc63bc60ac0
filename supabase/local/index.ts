import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAuthStandin } from './auth-standin/index.ts';
import {
  LOCAL_ANON_KEY,
  LOCAL_DB_PORT,
  LOCAL_GATEWAY_PORT,
  LOCAL_JWT_SECRET,
  LOCAL_SERVICE_ROLE_KEY,
} from './defaults.ts';
import { hostedProjectFromEnv } from './env.ts';
import { startGateway } from './gateway.ts';
import { isFreshDatabase, migrateDatabase } from './migrate.ts';
import { assertPortFree, findFreePort, LOCAL_HOST } from './ports.ts';
import { type RunningPostgres, startEmbeddedPostgres } from './postgres.ts';
import { startPostgrest } from './postgrest.ts';
import type { LogFn } from './processes.ts';

export { DEMO_PASSWORD, DEMO_USERS, type DemoUser } from './demo-users.ts';

/** Where `npm start` keeps its data: `<repo>/.data` (Postgres in `.data/postgres`). */
export const DEFAULT_DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '.data');

export interface LocalSupabaseOptions {
  /** Folder for the stack's data; Postgres lives in `<dataDir>/postgres`. Default `<repo>/.data`. */
  dataDir?: string;
  /** Embedded Postgres port; 0 = any free port. Default 54322. */
  dbPort?: number;
  /** Gateway port (the Supabase URL); 0 = any free port. Default 54321. */
  gatewayPort?: number;
  /** false: throwaway data for tests, deleted on stop. Default true. */
  persistent?: boolean;
  /** Delete the embedded database first, so it is recreated with migrations and seed. */
  reset?: boolean;
  /** Run seed.sql when the database is freshly created. Default true. */
  seed?: boolean;
  /** Receives every log line (child output included). Default: console.log. */
  log?: (line: string) => void;
  /**
   * Access-token lifetime in seconds (the Auth stand-in's). Default 3600, as hosted. Tests set a few
   * seconds to watch sessions refresh themselves; ignored for a hosted project.
   */
  jwtExpirySeconds?: number;
}

export interface LocalSupabase {
  /** Gateway URL: what supabase-js calls the Supabase URL. */
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  /** Superuser Postgres URL (empty for a hosted project without DATABASE_URL). */
  dbUrl: string;
  /** Process ids of the children, for diagnostics and tests. */
  pids: { postgres?: number; postgrest?: number };
  /** Stops every part; idempotent, leaves no process behind. */
  stop(): Promise<void>;
  /**
   * Resolves with the reason when a child (Postgres, PostgREST) dies unexpectedly; the rest of the stack
   * has been stopped by then. Never settles for a stack stopped through `stop()`.
   */
  exited: Promise<Error>;
}

/** How long a child's death may precede our own shutdown before it counts as a crash; see supervise(). */
const SHUTDOWN_RACE_MS = 300;

/**
 * Starts the Docker-free Supabase: embedded Postgres (or DATABASE_URL), bootstrap + migrations (+ seed
 * when fresh), PostgREST, the auth stand-in and the gateway. With SUPABASE_URL and keys in the
 * environment it starts nothing and returns the hosted project.
 */
export async function startLocalSupabase(options: LocalSupabaseOptions = {}): Promise<LocalSupabase> {
  const log: LogFn = options.log ?? ((line) => console.log(line));
  const env = process.env;

  const hosted = hostedProjectFromEnv(env);
  if (hosted) {
    log(`[supabase] using the hosted project at ${hosted.url}; the local stack is not started`);
    return {
      ...hosted,
      dbUrl: hosted.dbUrl ?? '',
      pids: {},
      stop: async () => {},
      exited: new Promise<Error>(() => {}),
    };
  }

  const externalDbUrl = env.DATABASE_URL || undefined;
  if (externalDbUrl && options.reset) {
    throw new Error(
      'Reset only recreates the embedded database; DATABASE_URL is set, so reset that database yourself.',
    );
  }
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const pgDataDir = join(dataDir, 'postgres');
  const persistent = options.persistent ?? true;
  let gatewayPort = options.gatewayPort ?? LOCAL_GATEWAY_PORT;
  let dbPort = options.dbPort ?? LOCAL_DB_PORT;

  // Check the ports we were asked for before starting anything.
  // The gateway's port is fixed up front even when any free one will do: the Auth stand-in puts
  // the public URL in token issuers and e-mailed links, so it must know it before it starts.
  if (gatewayPort === 0) gatewayPort = await findFreePort();
  else await assertPortFree(gatewayPort, 'gateway', 'SUPABASE_LOCAL_GATEWAY_PORT');
  if (!externalDbUrl) {
    if (dbPort === 0) dbPort = await findFreePort();
    else await assertPortFree(dbPort, 'Postgres', 'SUPABASE_LOCAL_DB_PORT');
  }
  if (options.reset) {
    log(`[supabase] reset: deleting ${pgDataDir}`);
    await rm(pgDataDir, { recursive: true, force: true });
  }

  const jwtSecret = LOCAL_JWT_SECRET;
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    // Reverse start order: the gateway stops taking requests before the services behind it go.
    for (const stop of stoppers.reverse().splice(0)) {
      await stop().catch((error: unknown) => log(`[supabase] while stopping: ${String(error)}`));
    }
  };

  let postgres: RunningPostgres | undefined;
  try {
    let dbUrl: string;
    let fresh: boolean;
    if (externalDbUrl) {
      dbUrl = externalDbUrl;
      fresh = await isFreshDatabase(dbUrl);
      log(`[supabase] using the Postgres at DATABASE_URL (${redactPassword(dbUrl)})`);
    } else {
      postgres = await startEmbeddedPostgres({ dataDir: pgDataDir, port: dbPort, persistent, log });
      const started = postgres;
      stoppers.push(() => started.stop());
      dbUrl = postgres.url;
      fresh = postgres.fresh;
    }

    const result = await migrateDatabase({ dbUrl, seed: fresh && options.seed !== false, log });
    if (result.applied.length > 0) log(`[supabase] applied ${result.applied.length} migration(s)`);

    const postgrest = await startPostgrest({ dbUri: authenticatorUrl(dbUrl), jwtSecret, log });
    stoppers.push(() => postgrest.stop());

    const auth = await startAuthStandin({
      dbUrl,
      jwtSecret,
      port: 0,
      externalUrl: `http://${LOCAL_HOST}:${gatewayPort}/auth/v1`,
      jwtExpirySeconds: options.jwtExpirySeconds,
      log,
    });
    stoppers.push(() => auth.stop());

    const gateway = await startGateway({
      port: gatewayPort,
      restUrl: postgrest.url,
      authUrl: auth.url,
      anonKey: LOCAL_ANON_KEY,
      serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
      log,
    });
    stoppers.push(() => gateway.stop());

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= stopAll();
      return stopping;
    };
    const exited = supervise(
      [postgres?.unexpectedExit, postgrest.unexpectedExit].filter(
        (p): p is Promise<Error> => p !== undefined,
      ),
      () => stopping !== undefined,
      async (error) => {
        log(`[supabase] ${error.message}`);
        log('[supabase] stopping the rest of the stack');
        await stop();
      },
    );
    const pids = postgres
      ? `postgres pid ${postgres.pid}, postgrest pid ${postgrest.pid}`
      : `postgrest pid ${postgrest.pid}`;
    log(`[supabase] ready at ${gateway.url} (${pids})`);
    return {
      url: gateway.url,
      anonKey: LOCAL_ANON_KEY,
      serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
      jwtSecret,
      dbUrl,
      pids: { postgres: postgres?.pid, postgrest: postgrest.pid },
      stop,
      exited,
    };
  } catch (error) {
    await stopAll();
    // A first start that failed half-way must not leave a database that later starts treat as set up.
    if (postgres?.fresh) await rm(pgDataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Watches for unexpected child exits. A Ctrl-C in a terminal signals the whole process group, so
 * Postgres may exit a moment before our own signal handler calls stop(): wait briefly and ignore the
 * exit if a stop has begun by then.
 */
function supervise(
  exits: Promise<Error>[],
  isStopping: () => boolean,
  onCrash: (error: Error) => Promise<void>,
): Promise<Error> {
  return new Promise<Error>((resolve) => {
    for (const exit of exits) {
      exit.then(async (error) => {
        await new Promise((wait) => setTimeout(wait, SHUTDOWN_RACE_MS));
        if (isStopping()) return;
        await onCrash(error);
        resolve(error);
      });
    }
  });
}

/** The same server and database as `dbUrl`, as the `authenticator` role (password set by the bootstrap). */
function authenticatorUrl(dbUrl: string): string {
  const url = new URL(dbUrl);
  url.username = 'authenticator';
  url.password = 'postgres';
  return url.toString();
}

function redactPassword(dbUrl: string): string {
  try {
    const url = new URL(dbUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}
