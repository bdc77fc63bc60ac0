/**
 * Reads a multipart/form-data request with busboy and hands over the one `file` part as a stream,
 * as soon as its headers arrive: nothing is buffered here, the caller reads (or stops reading) it.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import busboy from 'busboy';
import { HttpError } from '../http/respond.ts';

export interface IncomingFile {
  /** As sent; not yet cleaned (see file-name.ts). */
  fileName: string;
  /** The Content-Type the client declared for the part. Never trusted for the type. */
  declaredType: string;
  stream: Readable;
}

/** Multipart framing (boundaries, part headers) on top of the file itself. */
export const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

export function receiveFile(req: IncomingMessage, maxBytes: number): Promise<IncomingFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        // One byte over the limit lets the reader notice the excess; busboy truncates after that.
        limits: { files: 1, fileSize: maxBytes + 1, fields: 10, fieldSize: 4096, parts: 12, headerPairs: 20 },
      });
    } catch {
      reject(badRequest('Send the file as multipart/form-data with a "file" part'));
      return;
    }
    let found = false;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || found) {
        stream.resume();
        return;
      }
      found = true;
      resolve({ fileName: info.filename ?? '', declaredType: info.mimeType ?? '', stream });
    });
    parser.on('close', () => {
      if (!found) reject(badRequest('The form has no "file" part'));
    });
    // pipeline destroys the parser (and with it the file stream) if the client goes away mid-upload.
    pipeline(req, parser, (error) => {
      if (error && !found) reject(badRequest(`The multipart body is malformed: ${error.message}`));
    });
  });
}

function badRequest(message: string): HttpError {
  return new HttpError(400, 'bad_request', message);
}
