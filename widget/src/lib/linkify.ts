/**
 * Splits message text into plain runs and http(s) links. The UI renders both as text nodes and
 * <a> elements, so nothing a visitor or agent types is ever parsed as HTML; only http(s) URLs
 * become links (no javascript:, data: or mailto: tricks).
 */
export type Segment = { text: string; href?: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Trailing punctuation that usually ends the sentence, not the URL. */
const TRAILING = /[.,;:!?)\]}'"]+$/;

export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    let url = match[0];
    const trail = TRAILING.exec(url)?.[0] ?? '';
    // Keep a closing parenthesis that belongs to the URL, as in Wikipedia links.
    if (trail && !(trail.startsWith(')') && url.includes('('))) url = url.slice(0, url.length - trail.length);
    const href = safeHref(url);
    if (!href) continue;
    if (start > last) out.push({ text: text.slice(last, start) });
    out.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** The normalized URL when it parses as http(s) (relative to `base` if given), else null. */
export function safeHref(raw: string, base?: string): string | null {
  try {
    const url = new URL(raw, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
