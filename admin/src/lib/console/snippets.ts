/**
 * Snippets by shortcut in the composer: typing `/ref` or `#ref` right before the caret opens the
 * matching snippets; Tab or Enter puts the chosen one in place of the token. Plain functions,
 * unit-tested; the composer only wires keys to them.
 */
import type { Snippet } from '../data/types.ts';

export interface SnippetToken {
  /** Where the token (with its `/` or `#`) starts and ends in the text. */
  start: number;
  end: number;
  /** What was typed after the trigger, lower-cased. */
  query: string;
}

/** The `/word` or `#word` ending at the caret, if it starts the text or follows whitespace. */
export function tokenAt(text: string, caret: number): SnippetToken | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)([/#])([a-z0-9_-]{0,32})$/i.exec(before);
  if (!match) return null;
  const start = caret - (match[2]?.length ?? 0) - (match[3]?.length ?? 0);
  return { start, end: caret, query: (match[3] ?? '').toLowerCase() };
}

/**
 * Snippets for a query: exact shortcut first, then shortcuts starting with it, then titles
 * containing it; a personal snippet wins over an org-wide one with the same shortcut.
 */
export function matchSnippets(snippets: Snippet[], query: string, limit = 8): Snippet[] {
  const rank = (s: Snippet) =>
    s.shortcut === query
      ? 0
      : s.shortcut.startsWith(query)
        ? 1
        : s.title.toLowerCase().includes(query)
          ? 2
          : 3;
  return snippets
    .filter((s) => rank(s) < 3)
    .sort(
      (a, b) =>
        rank(a) - rank(b) ||
        Number(a.owner_id === null) - Number(b.owner_id === null) ||
        a.shortcut.localeCompare(b.shortcut),
    )
    .slice(0, limit);
}

/** Fills the placeholders snippets may carry ({agent}, {visitor}). */
export function fillSnippet(body: string, values: { agent: string; visitor: string }): string {
  return body
    .replaceAll('{agent}', values.agent || 'your agent')
    .replaceAll('{visitor}', values.visitor || 'there');
}

/** The text with the token replaced by the snippet, and where the caret goes. */
export function applySnippet(
  text: string,
  token: SnippetToken,
  body: string,
): { text: string; caret: number } {
  const next = text.slice(0, token.start) + body + text.slice(token.end);
  return { text: next, caret: token.start + body.length };
}
