/**
 * The console of this browser tab, kept while the agent visits other pages (History, Snippets…), so
 * the connection, the outbox and the notifications keep working and the sidebar can show the badge.
 * Only a type import here: the shell imports this file, and must not pull the console into every page.
 * Browser-only state (the app renders on the client): never shared between users on a server.
 */
import type { ConsoleStore } from './console.svelte.ts';

let store = $state<ConsoleStore | null>(null);

export const currentConsole = {
  get store(): ConsoleStore | null {
    return store;
  },
  set(next: ConsoleStore): void {
    if (store !== next) store?.stop();
    store = next;
  },
  /** Signing out or switching organization. */
  close(): void {
    store?.stop();
    store = null;
  },
};
