/**
 * Reading the local mailbox back (GET /dev/mailbox): newest first, with the headers a developer
 * looks for. Only the header block of each file is parsed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface MailboxEntry {
  file: string;
  to: string;
  subject: string;
  date: string;
}

export async function listMailbox(dir: string, limit = 100): Promise<MailboxEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  names.sort().reverse();
  return Promise.all(
    names.slice(0, limit).map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      const headers = unfoldHeaders(text.split(/\r?\n\r?\n/, 1)[0] ?? '');
      return {
        file,
        to: headers.get('to') ?? '',
        subject: decodeWords(headers.get('subject') ?? ''),
        date: headers.get('date') ?? '',
      };
    }),
  );
}

/** The file's text, for GET /dev/mailbox/<file>; null for anything but a plain .eml name in the folder. */
export async function readMailboxFile(dir: string, file: string): Promise<string | null> {
  if (!/^[\w.-]+\.eml$/.test(file)) return null;
  try {
    return await readFile(join(dir, file), 'utf8');
  } catch {
    return null;
  }
}

function unfoldHeaders(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) map.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return map;
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=), as nodemailer writes non-ASCII subjects. */
export function decodeWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*/g,
    (_m, _charset: string, enc: string, data: string) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
      const bytes = data
        .replace(/_/g, ' ')
        .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    },
  );
}
