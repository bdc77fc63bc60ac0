/**
 * How the console gets the agent's attention: a short chime (WebAudio, no file to download), a
 * desktop notification (Notification API, after the browser's permission prompt), and an unread
 * count in the tab title. Each is a switch the agent sets, kept in localStorage. They fire for new
 * chats and new visitor messages whether or not the tab is focused: agents work with the console
 * beside other tools, and a focused tab showing another chat still needs the cue.
 */
import { createSubscriber } from 'svelte/reactivity';

export interface NotifySettings {
  sound: boolean;
  desktop: boolean;
  title: boolean;
}

const KEY = 'chat-admin.console.notifications';
const DEFAULTS: NotifySettings = { sound: true, desktop: false, title: true };

function readSettings(): NotifySettings {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<NotifySettings>;
    return {
      sound: typeof stored.sound === 'boolean' ? stored.sound : DEFAULTS.sound,
      desktop: typeof stored.desktop === 'boolean' ? stored.desktop : DEFAULTS.desktop,
      title: typeof stored.title === 'boolean' ? stored.title : DEFAULTS.title,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

export class Notifier {
  #settings = $state<NotifySettings>(readSettings());
  #permission = $state<NotificationPermission | 'unsupported'>(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  #audio: AudioContext | undefined;
  /** Counts chimes and desktop notifications (tests and the bench read them through window.__consoleNotify). */
  chimes = 0;
  shown = 0;

  /** Focus and visibility of this tab, read reactively (window events wrapped with createSubscriber). */
  #focus = createSubscriber((update) => {
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  });

  get focused(): boolean {
    this.#focus();
    return document.visibilityState === 'visible' && document.hasFocus();
  }

  get settings(): NotifySettings {
    return this.#settings;
  }
  get permission() {
    return this.#permission;
  }

  async set(change: Partial<NotifySettings>): Promise<void> {
    const next = { ...this.#settings, ...change };
    if (change.desktop && this.#permission !== 'unsupported' && Notification.permission !== 'granted') {
      this.#permission = await Notification.requestPermission();
      if (this.#permission !== 'granted') next.desktop = false;
    }
    this.#settings = next;
    localStorage.setItem(KEY, JSON.stringify(next));
    // Browsers allow audio only after a gesture: this click is one, so prepare the context now.
    if (next.sound) this.#context();
  }

  /** A new chat (offer or queue arrival) or a new visitor message. */
  notify(kind: 'chat' | 'message', title: string, body: string, onClick?: () => void): void {
    if (this.#settings.sound) this.#chime(kind);
    if (this.#settings.desktop && this.#permission === 'granted') {
      try {
        const n = new Notification(title, {
          body: body.slice(0, 160),
          tag: `${kind}:${title}`,
          silent: true,
        });
        n.onclick = () => {
          window.focus();
          onClick?.();
          n.close();
        };
        this.shown++;
      } catch (error) {
        // Some browsers only allow notifications from a service worker; the chime and title remain.
        console.warn('console: desktop notification failed', error);
      }
    }
  }

  #context(): AudioContext | undefined {
    if (typeof AudioContext === 'undefined') return undefined;
    this.#audio ??= new AudioContext();
    if (this.#audio.state === 'suspended') void this.#audio.resume();
    return this.#audio;
  }

  /** Two soft notes, rising for a new chat, a single one for a message. */
  #chime(kind: 'chat' | 'message'): void {
    const ctx = this.#context();
    if (!ctx) return;
    this.chimes++;
    const notes = kind === 'chat' ? [660, 880] : [740];
    notes.forEach((frequency, i) => {
      const start = ctx.currentTime + i * 0.14;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.18, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.4);
    });
  }
}
