/**
 * Entry point: read the script tag, create the store, mount the UI into one `.cw-root` element at
 * the end of <body>, install window.Chat, report page views, connect.
 */
import './styles/widget.css';
import { mount } from 'svelte';
import { readScriptInfo } from './boot/script-info.ts';
import { type ChatFunction, installApi } from './chat-api.ts';
import { provideStore } from './connection/instance.ts';
import { ChatStore } from './connection/store.svelte.ts';
import { watchPageViews } from './lib/page-views.ts';
import Widget from './ui/Widget.svelte';

type Host = Window & { Chat?: ChatFunction; __cwBooted?: boolean };

// currentScript is only set while this file first runs, so read the tag now.
const info = readScriptInfo(document);
const host = window as Host;

function boot(): void {
  if (!info || host.__cwBooted) return;
  host.__cwBooted = true;
  const store = new ChatStore(info.server, info.site, navigator.language);
  provideStore(store);
  installApi(store, host);
  const root = document.createElement('div');
  root.className = 'cw-root';
  document.body.append(root);
  mount(Widget, { target: root, props: { root } });
  watchPageViews((url, title) => store.reportPage(url, title));
  void store.init();
}

if (document.body) boot();
else document.addEventListener('DOMContentLoaded', boot, { once: true });
