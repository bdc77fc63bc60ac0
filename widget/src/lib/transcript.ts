/** The conversation as a plain-text file, built in the browser (no server round trip). */
import type { Message } from '@chat/shared';
import { t } from '../i18n/index.ts';

/** Downloads the chat as chat-YYYY-MM-DD.txt (the header's button and the ended view's link). */
export function downloadTranscript(siteTitle: string, messages: readonly Message[]): void {
  downloadText(
    `chat-${new Date().toISOString().slice(0, 10)}.txt`,
    transcriptText(`${t.transcript} — ${siteTitle}`, messages, t.you),
  );
}

export function transcriptText(title: string, messages: readonly Message[], you: string): string {
  const lines = [title, '='.repeat(title.length), ''];
  for (const m of messages) {
    if (m.senderKind === 'note') continue;
    const when = new Date(m.createdAt).toLocaleString();
    const who = m.senderKind === 'visitor' ? you : m.senderKind === 'system' ? '—' : m.senderName || 'Agent';
    lines.push(`[${when}] ${who}: ${m.body}`);
    for (const a of m.attachments) lines.push(`    📎 ${a.fileName}`);
  }
  return `${lines.join('\n')}\n`;
}

export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.className = 'cw-hidden';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
