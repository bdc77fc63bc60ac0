/**
 * The page's one ChatStore, set by main.ts before the UI mounts. Components import it instead of
 * receiving it as a prop: there is exactly one widget per page, and prop plumbing through every
 * component costs bytes the size budget cannot spare.
 */
import type { ChatStore } from './store.svelte.ts';

export let store: ChatStore;

export function provideStore(instance: ChatStore): void {
  store = instance;
}
