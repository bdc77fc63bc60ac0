/**
 * Local Supabase commands:
 *   tsx local/cli.ts start   start the stack in the foreground (npm run supabase:start)
 *   tsx local/cli.ts reset   recreate the database with migrations and seed, then exit (npm run db:reset)
 * Environment: SUPABASE_LOCAL_GATEWAY_PORT, SUPABASE_LOCAL_DB_PORT, SUPABASE_LOCAL_DATA_DIR, DATABASE_URL,
 * or SUPABASE_URL + keys for a hosted project.
 */
import { localStackEnv } from './env.ts';
import { runInForeground } from './foreground.ts';
import { startLocalSupabase } from './index.ts';
import { localSupabaseService } from './service.ts';

const USAGE = 'Usage: tsx local/cli.ts <start|reset>';

async function reset(): Promise<void> {
  const { dbPort, dataDir } = localStackEnv(process.env);
  // The gateway is irrelevant to a reset: any free port, so a busy 54321 does not block it.
  const stack = await startLocalSupabase({ dbPort, dataDir, gatewayPort: 0, reset: true });
  await stack.stop();
  console.log('Database recreated with migrations and seed.');
}

async function main(command: string | undefined): Promise<void> {
  if (command === 'start') return runInForeground([localSupabaseService()]);
  if (command === 'reset') return reset();
  console.error(USAGE);
  process.exitCode = 2;
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
