import { DEMO_PASSWORD, DEMO_USERS } from './demo-users.ts';
import { localStackEnv } from './env.ts';
import type { ForegroundService } from './foreground.ts';
import { type LocalSupabase, startLocalSupabase } from './index.ts';

/** The local Supabase stack as a foreground service, configured from the environment. */
export function localSupabaseService(env: NodeJS.ProcessEnv = process.env): ForegroundService {
  return {
    name: 'local Supabase',
    async start() {
      const stack = await startLocalSupabase({ ...localStackEnv(env), log: (line) => console.log(line) });
      return {
        banner: stackBanner(stack),
        env: {
          SUPABASE_URL: stack.url,
          SUPABASE_ANON_KEY: stack.anonKey,
          SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
          SUPABASE_JWT_SECRET: stack.jwtSecret,
          ...(stack.dbUrl ? { DATABASE_URL: stack.dbUrl } : {}),
        },
        stop: () => stack.stop(),
        exited: stack.exited,
      };
    },
  };
}

/** What a developer needs to connect: URLs, keys and the demo logins. */
export function stackBanner(stack: LocalSupabase): string[] {
  const width = Math.max(...DEMO_USERS.map((user) => user.email.length));
  return [
    'Supabase',
    `  API URL           ${stack.url}`,
    `  DB URL            ${stack.dbUrl || '(not set: DATABASE_URL)'}`,
    `  anon key          ${stack.anonKey}`,
    `  service_role key  ${stack.serviceRoleKey}`,
    `  JWT secret        ${stack.jwtSecret}`,
    '',
    `Demo logins (password for all: ${DEMO_PASSWORD})`,
    ...DEMO_USERS.map((user) => `  ${user.email.padEnd(width)}  ${user.role}`),
  ];
}
