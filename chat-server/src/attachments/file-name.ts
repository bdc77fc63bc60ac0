/**
 * File names as people see them in the chat and their download folder. The uploader chooses the
 * name, so it is cleaned: no folders, no control or bidi-override characters (which can disguise
 * "txt.exe" as "exe.txt"), no characters Windows forbids, bounded length, and an extension that
 * matches the sniffed type.
 */
import type { AllowedType } from './allowed-types.ts';

/** Well below the column's 255 so the extension we may append still fits. */
const MAX_NAME_LENGTH = 150;

/** Names browsers give pasted images and unnamed blobs: no information, replaced by our own. */
const GENERIC_NAMES = new Set([
  '',
  'blob',
  'image',
  'image.png',
  'image.jpg',
  'image.jpeg',
  'image.gif',
  'image.webp',
]);

/** Lower-case extension without the dot, or ''. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Strips folders, control/format characters and reserved punctuation; '' when nothing is left. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  return truncate(cleaned, MAX_NAME_LENGTH);
}

/**
 * The name to store: the cleaned name with an extension that fits `type`, or a generated one for
 * pasted screenshots and nameless uploads ("screenshot-2026-11-21T10-30-00.png").
 */
export function finalFileName(cleaned: string, type: AllowedType, now = new Date()): string {
  const preferred = type.extensions[0] ?? 'bin';
  if (GENERIC_NAMES.has(cleaned.toLowerCase())) {
    const stamp = now.toISOString().slice(0, 19).replace(/:/g, '-');
    return `${type.inline ? 'screenshot' : 'file'}-${stamp}.${preferred}`;
  }
  return type.extensions.includes(extensionOf(cleaned)) ? cleaned : `${cleaned}.${preferred}`;
}

/** Cuts by code points (never inside a surrogate pair), keeping the extension. */
function truncate(name: string, max: number): string {
  const chars = [...name];
  if (chars.length <= max) return name;
  const ext = extensionOf(name);
  const keep = ext && ext.length < 16 ? `.${ext}` : '';
  return (
    chars
      .slice(0, max - keep.length)
      .join('')
      .trimEnd() + keep
  );
}
