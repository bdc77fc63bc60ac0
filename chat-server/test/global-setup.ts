/**
 * The chat-server tests get a Supabase stack of their own (Postgres, PostgREST, Auth stand-in,
 * gateway) seeded with the demo data, separate from the supabase project's: these tests create
 * conversations and messages, and the RLS tests must not see them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalSupabase } from '../../supabase/local/index.ts';
import type { ProvidedSupabase } from '../../supabase/tests/global-setup.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-server-test-'));
  const verbose = process.env.SUPABASE_LOCAL_VERBOSE === '1';
  const stack = await startLocalSupabase({
    dataDir,
    dbPort: 0,
    gatewayPort: 0,
    persistent: false,
    seed: true,
    log: verbose ? (line) => console.log(line) : () => {},
  });
  const provided: ProvidedSupabase = {
    url: stack.url,
    anonKey: stack.anonKey,
    serviceRoleKey: stack.serviceRoleKey,
    jwtSecret: stack.jwtSecret,
    dbUrl: stack.dbUrl,
  };
  project.provide('supabase', provided);
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
