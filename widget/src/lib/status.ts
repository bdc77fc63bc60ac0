/** The header's status line: who is there, or where the visitor stands in the queue. */
import type { Conversation } from '@chat/shared';
import type { WidgetConfig } from '../api/types.ts';
import type { Strings } from '../i18n/index.ts';

export interface Status {
  text: string;
  tone: 'online' | 'away' | 'offline';
}

export function statusLine(t: Strings, config: WidgetConfig, c: Conversation | null): Status {
  if (c && c.status !== 'closed' && c.createdAt) {
    if (c.assignee) return { text: t.agentJoined(c.assignee.name), tone: 'online' };
    if (c.status === 'queued') {
      const parts = [c.queuePosition ? t.queuePosition(c.queuePosition) : t.waitingForAgent];
      if (c.estimatedWaitSeconds != null)
        parts.push(t.expectedWait(Math.max(1, Math.ceil(c.estimatedWaitSeconds / 60))));
      return { text: parts.join(' · '), tone: 'away' };
    }
    if (c.status === 'offline') return { text: t.replyByEmail, tone: 'offline' };
  }
  if (config.available) return { text: t.online, tone: 'online' };
  if (config.open) return { text: t.away, tone: 'away' };
  return { text: t.replyByEmail, tone: 'offline' };
}

/** The site's greeting for the time of day (the server picks it in the site's time zone), else ours. */
export function greeting(t: Strings, config: WidgetConfig): string {
  return config.greeting || t.hello;
}
