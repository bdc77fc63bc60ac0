/**
 * Decides what an upload really is from its first bytes. Returns the allowed type, or throws a
 * 415 HttpError saying what was found and what is accepted.
 */
import { fileTypeFromBuffer } from 'file-type';
import { HttpError } from '../http/respond.ts';
import {
  ALLOWED_DESCRIPTION,
  type AllowedType,
  LEGACY_OFFICE_TYPES,
  SNIFFED_TYPES,
  TEXT_TYPES,
} from './allowed-types.ts';
import { extensionOf } from './file-name.ts';

/** How many leading bytes are sniffed: enough for file-type to read an Office zip's content types. */
export const SNIFF_BYTES = 64 * 1024;

export interface UploadClaims {
  /** The Content-Type the client sent with the file part (only used to tell text from CSV). */
  declaredType: string;
  /** The sanitized file name (only used to tell legacy Office files apart, see allowed-types.ts). */
  fileName: string;
}

export async function sniffType(head: Buffer, claims: UploadClaims): Promise<AllowedType> {
  const found = await fileTypeFromBuffer(head);
  if (found) {
    const known = SNIFFED_TYPES[found.ext];
    if (known) return found.ext === 'heic' ? { ...known, contentType: found.mime } : known;
    if (found.ext === 'cfb') {
      const legacy = LEGACY_OFFICE_TYPES[extensionOf(claims.fileName)];
      if (legacy) return legacy;
      throw unsupported(
        'This is a Compound File (legacy Office or an installer); only .doc, .xls and .ppt files of this kind are accepted',
      );
    }
    throw unsupported(`Files of type ${found.mime} (.${found.ext}) cannot be shared`);
  }
  const declared = claims.declaredType.split(';')[0]?.trim().toLowerCase() ?? '';
  const text = TEXT_TYPES[declared];
  if (!text) throw unsupported('The file type could not be recognised');
  if (looksLikeMarkup(head)) throw unsupported('HTML, SVG and XML documents cannot be shared');
  return text;
}

/** Markup sent as "text" would still be HTML to anything that ignores our headers; refuse it. */
function looksLikeMarkup(head: Buffer): boolean {
  const start = head
    .subarray(0, 512)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return /^<(!doctype|html|svg|\?xml|script|head|body|iframe)\b/.test(start);
}

export function unsupported(reason: string): HttpError {
  return new HttpError(415, 'unsupported_media_type', `${reason}. Allowed: ${ALLOWED_DESCRIPTION}.`);
}
