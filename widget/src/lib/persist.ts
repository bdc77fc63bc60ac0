/**
 * What survives a page load, per site, in localStorage: the visitor token and the open
 * conversation. Other tabs of the same site see changes through the `storage` event.
 * Storage may be blocked (Safari private mode, sandboxed frames): then the widget still works
 * for this page, it just forgets on reload.
 */
export interface Persisted {
  token?: string;
  conversationId?: string;
  /** Set when the conversation started through the offline form: shown as "we reply by email". */
  offlineEmail?: string;
}

export class PersistedState {
  readonly key: string;

  constructor(site: string) {
    this.key = `cw:${site}`;
  }

  read(): Persisted {
    try {
      return JSON.parse(localStorage.getItem(this.key) ?? '{}') as Persisted;
    } catch {
      return {};
    }
  }

  write(patch: Partial<Persisted>): void {
    try {
      const next = { ...this.read(), ...patch };
      for (const k of Object.keys(next) as (keyof Persisted)[]) if (next[k] === undefined) delete next[k];
      localStorage.setItem(this.key, JSON.stringify(next));
    } catch {
      // Storage blocked or full: resume across loads is lost, the chat itself keeps working.
    }
  }

  /** Calls back when another tab changed this site's state. */
  watch(onChange: (state: Persisted) => void): () => void {
    const listener = (e: StorageEvent) => {
      if (e.key === this.key) onChange(this.read());
    };
    addEventListener('storage', listener);
    return () => removeEventListener('storage', listener);
  }
}
