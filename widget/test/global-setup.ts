/**
 * Once per run: build the widget (the size and secret checks read dist/, the browser tests load
 * it) and start a Supabase stack seeded with the demo data, separate from the other projects'
 * because these tests create visitors and conversations and change site settings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalSupabase } from '../../supabase/local/index.ts';
import type { ProvidedSupabase } from '../../supabase/tests/global-setup.ts';
import { buildWidget } from '../demo/build.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildWidget();
  const dataDir = await mkdtemp(join(tmpdir(), 'widget-test-'));
  const stack = await startLocalSupabase({
    dataDir,
    dbPort: 0,
    gatewayPort: 0,
    persistent: false,
    seed: true,
    log: process.env.SUPABASE_LOCAL_VERBOSE === '1' ? (line) => console.log(line) : () => {},
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
