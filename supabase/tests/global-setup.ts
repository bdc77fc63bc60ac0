import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalSupabase, startLocalSupabase } from '../local/index.ts';

/** What tests learn about the shared stack, through `inject('supabase')`. */
export interface ProvidedSupabase {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  dbUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    supabase: ProvidedSupabase;
  }
}

interface SharedStack {
  users: number;
  started: Promise<{ provided: ProvidedSupabase; stop(): Promise<void> }>;
}

// One stack per vitest process even when several projects (supabase, chat-server…) list this file:
// each project loads its own copy of the module, so the stack is kept on globalThis.
const KEY = Symbol.for('chat-platform.local-supabase');
const registry = globalThis as typeof globalThis & { [KEY]?: SharedStack };

/**
 * Starts (or joins) the test stack on free ports in a temporary folder, seeded, and provides its URLs
 * and keys to the project's tests. Returns the teardown. Other packages' vitest configs may list this
 * file as their globalSetup, or call this from their own.
 */
export async function provideLocalSupabase(project: TestProject): Promise<() => Promise<void>> {
  registry[KEY] ??= { users: 0, started: startIsolatedTestStack() };
  const shared = registry[KEY];
  shared.users++;
  const { provided } = await shared.started;
  project.provide('supabase', provided);
  return async () => {
    if (--shared.users > 0) return;
    delete registry[KEY];
    await (await shared.started).stop();
  };
}

/**
 * A seeded stack on free ports in a temporary folder, for one test project. Packages whose tests
 * write conversations and messages (chat-server, widget, admin) start their own with this, so the
 * RLS tests never see their rows. `stop()` also removes the folder.
 */
export async function startIsolatedTestStack(
  prefix = 'chat-supabase-test-',
): Promise<{ stack: LocalSupabase; provided: ProvidedSupabase; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const verbose = process.env.SUPABASE_LOCAL_VERBOSE === '1';
  try {
    const stack = await startLocalSupabase({
      dataDir,
      dbPort: 0,
      gatewayPort: 0,
      persistent: false,
      seed: true,
      // Child output only on request; failures carry the relevant lines in their error messages.
      log: verbose ? (line) => console.log(line) : () => {},
    });
    stack.exited.then((error) => console.error(`The test Supabase stack died: ${error.message}`));
    const provided: ProvidedSupabase = {
      url: stack.url,
      anonKey: stack.anonKey,
      serviceRoleKey: stack.serviceRoleKey,
      jwtSecret: stack.jwtSecret,
      dbUrl: stack.dbUrl,
    };
    const stop = async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
    return { stack, provided, stop };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export default provideLocalSupabase;
