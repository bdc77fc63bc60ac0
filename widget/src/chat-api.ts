/**
 * The page's JavaScript API, Intercom style:
 *   window.Chat('open') · Chat('close') · Chat('toggle')
 *   Chat('identify', { name, email })   prefills the pre-chat form
 *   Chat('on', 'message' | 'open' | 'close' | 'unread' | 'ready' | 'conversation', fn) → unsubscribe
 * Calls made before the script loaded wait in `window.Chat.q` (see the README's queue stub) and
 * run here in order.
 */
import type { ChatStore, WidgetEvent } from './connection/store.svelte.ts';

export interface ChatFunction {
  (command: string, ...args: unknown[]): unknown;
  q?: ArrayLike<unknown>[];
  loaded?: boolean;
}

export function installApi(store: ChatStore, target: { Chat?: ChatFunction }): void {
  const queued = target.Chat?.q ?? [];
  const api: ChatFunction = (command, ...args) => run(store, command, args);
  api.loaded = true;
  target.Chat = api;
  for (const call of Array.from(queued)) {
    const [command, ...args] = Array.from(call);
    run(store, command, args);
  }
}

function run(store: ChatStore, command: unknown, args: unknown[]): unknown {
  switch (command) {
    case 'open':
      return store.setOpen(true);
    case 'close':
      return store.setOpen(false);
    case 'toggle':
      return store.setOpen(!store.isOpen);
    case 'identify':
      if (typeof args[0] === 'object' && args[0] !== null) return store.identify(args[0]);
      break;
    case 'on':
      // An unknown event name simply never fires.
      if (typeof args[1] === 'function') return store.on(args[0] as WidgetEvent, args[1] as () => void);
      break;
  }
  console.warn(`[chat widget] Unknown call: Chat(${JSON.stringify(command)}, …)`);
  return undefined;
}
