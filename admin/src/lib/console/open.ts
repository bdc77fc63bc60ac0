/** Opens the console: the running one of this user and organization, or a new one (load, then connect). */
import { chatServerUrl } from '../chat-server-url.ts';
import { listSnippets } from '../data/snippets.ts';
import { ConsoleStore } from './console.svelte.ts';
import { currentConsole } from './current.svelte.ts';
import { loadDirectory } from './directory.ts';
import { loadSnapshot } from './snapshot-feed.ts';
import { SocketFeed } from './socket-feed.svelte.ts';
import { accessToken, watchRefreshedTokens } from './token.ts';

export async function openConsole(orgId: string, userId: string, userName: string): Promise<ConsoleStore> {
  const running = currentConsole.store;
  if (running && running.orgId === orgId && running.userId === userId) return running;
  currentConsole.close();
  const [snapshot, directory, snippets] = await Promise.all([
    loadSnapshot(orgId, userId),
    loadDirectory(orgId, userId),
    listSnippets(orgId),
  ]);
  const feed = new SocketFeed({
    baseUrl: chatServerUrl(),
    orgId,
    token: accessToken,
    watchToken: watchRefreshedTokens,
  });
  const reload = async () => {
    const [snapshot, directory] = await Promise.all([
      loadSnapshot(orgId, userId),
      loadDirectory(orgId, userId),
    ]);
    return { snapshot, directory };
  };
  const store = new ConsoleStore({ orgId, userId, userName, feed, snapshot, directory, snippets, reload });
  store.start();
  currentConsole.set(store);
  return store;
}
