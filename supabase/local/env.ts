import { LOCAL_DB_PORT, LOCAL_GATEWAY_PORT } from './defaults.ts';

/** A hosted Supabase project chosen through the environment: the local stack is not started. */
export interface HostedProject {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  dbUrl?: string;
}

const HOSTED_VARS = [
  'SUPABASE_URL',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_JWT_SECRET',
] as const;

/**
 * SUPABASE_URL + SUPABASE_ANON_KEY + SUPABASE_SERVICE_ROLE_KEY + SUPABASE_JWT_SECRET select a hosted
 * project. Setting only some of them is almost certainly a mistake, so it is an error naming the rest.
 */
export function hostedProjectFromEnv(env: NodeJS.ProcessEnv): HostedProject | undefined {
  const present = HOSTED_VARS.filter((name) => env[name]);
  if (present.length === 0) return undefined;
  if (present.length < HOSTED_VARS.length) {
    const missing = HOSTED_VARS.filter((name) => !env[name]);
    throw new Error(
      `To use a hosted Supabase project set all of ${HOSTED_VARS.join(', ')}; missing: ${missing.join(', ')}. ` +
        'Unset them all to run the local stack.',
    );
  }
  return {
    url: env.SUPABASE_URL!.replace(/\/+$/, ''),
    anonKey: env.SUPABASE_ANON_KEY!,
    serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY!,
    jwtSecret: env.SUPABASE_JWT_SECRET!,
    dbUrl: env.DATABASE_URL || undefined,
  };
}

/** Options for the foreground commands (`npm start`, `npm run supabase:start`), read from the environment. */
export interface LocalStackEnv {
  gatewayPort: number;
  dbPort: number;
  dataDir?: string;
}

/**
 * SUPABASE_LOCAL_GATEWAY_PORT, SUPABASE_LOCAL_DB_PORT (0 = any free port) and SUPABASE_LOCAL_DATA_DIR
 * move the local stack, e.g. to run a second copy beside `npm start`.
 */
export function localStackEnv(env: NodeJS.ProcessEnv): LocalStackEnv {
  return {
    gatewayPort: portFromEnv(env, 'SUPABASE_LOCAL_GATEWAY_PORT', LOCAL_GATEWAY_PORT),
    dbPort: portFromEnv(env, 'SUPABASE_LOCAL_DB_PORT', LOCAL_DB_PORT),
    dataDir: env.SUPABASE_LOCAL_DATA_DIR || undefined,
  };
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}=${raw} is not a port: use an integer from 0 (any free port) to 65535.`);
  }
  return port;
}
