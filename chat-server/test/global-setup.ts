/**
 * The chat-server tests get a seeded Supabase stack of their own (Postgres, PostgREST, Auth
 * stand-in, gateway), separate from the supabase project's: these tests create conversations and
 * messages, and the RLS tests must not see them.
 */
import type { TestProject } from 'vitest/node';
import { startIsolatedTestStack } from '../../supabase/tests/global-setup.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { provided, stop } = await startIsolatedTestStack('chat-server-test-');
  project.provide('supabase', provided);
  return stop;
}
