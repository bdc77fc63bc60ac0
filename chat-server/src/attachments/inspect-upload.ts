/**
 * Checks an upload while it streams through, without holding more than the first SNIFF_BYTES:
 * counts bytes and fails with 413 the moment the limit is crossed, hashes for the sha256 column,
 * sniffs the type from the head (415 if not allowed), and for text checks every chunk is UTF-8
 * without NULs. The checked bytes come out as `body`, ready for FileStorage.put, which discards
 * everything when the stream fails.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { HttpError } from '../http/respond.ts';
import type { AllowedType } from './allowed-types.ts';
import { SNIFF_BYTES, sniffType, type UploadClaims, unsupported } from './sniff.ts';

export interface InspectedUpload {
  type: AllowedType;
  /** The file's bytes; fails mid-way with an HttpError if a check fails later in the file. */
  body: Readable;
  /** Valid once `body` has been read to the end. */
  result(): { size: number; sha256: string };
}

export async function inspectUpload(
  source: AsyncIterable<Buffer>,
  maxBytes: number,
  claims: UploadClaims,
): Promise<InspectedUpload> {
  const hash = createHash('sha256');
  let size = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      hash.update(chunk);
      yield chunk;
    }
  }
  const chunks = counted();

  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headLength += next.value.length;
  }
  if (headLength === 0) throw new HttpError(400, 'bad_request', 'The file is empty');
  const headBytes = Buffer.concat(head);
  let type: AllowedType;
  try {
    type = await sniffType(headBytes, claims);
  } catch (error) {
    await chunks.return(undefined); // stop reading the rest of the upload
    throw error;
  }

  const checkText = type.contentType.startsWith('text/') ? textChecker() : null;
  async function* body(): AsyncGenerator<Buffer> {
    checkText?.(headBytes);
    yield headBytes;
    if (!ended) {
      for await (const chunk of chunks) {
        checkText?.(chunk);
        yield chunk;
      }
    }
    checkText?.(null);
  }

  let sha256: string | undefined;
  return {
    type,
    body: Readable.from(body(), { objectMode: false }),
    result: () => {
      sha256 ??= hash.digest('hex');
      return { size, sha256 };
    },
  };
}

/** A streaming UTF-8 check: call with each chunk, then with null at the end. */
function textChecker(): (chunk: Buffer | null) => void {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return (chunk) => {
    if (chunk?.includes(0)) throw unsupported('This text file contains NUL bytes, so it is not plain text');
    try {
      if (chunk) decoder.decode(chunk, { stream: true });
      else decoder.decode();
    } catch {
      throw unsupported('This text file is not valid UTF-8');
    }
  };
}

export function tooLarge(maxBytes: number): HttpError {
  const mb = (maxBytes / (1024 * 1024)).toFixed(maxBytes % (1024 * 1024) === 0 ? 0 : 1);
  return new HttpError(413, 'payload_too_large', `The file is larger than the ${mb} MB limit`);
}
