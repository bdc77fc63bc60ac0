import { ErrorCode } from './codes.ts';
import { SERVER_FRAME_TYPES } from './frame-types.ts';
import type { ParseResult } from './parse.ts';
import type { ServerFrame } from './server-frames.ts';

const KNOWN_TYPES: ReadonlySet<string> = new Set(SERVER_FRAME_TYPES);

/**
 * A light alternative to `parseServerFrame` for size-bound clients (the widget): checks only
 * that the text is a JSON object with a known `type`, trusting the server for the fields.
 * Never throws. Costs well under 1 KB where full validation costs about 12 KB gzip.
 */
export function decodeServerFrame(raw: string): ParseResult<ServerFrame> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (error) {
    return {
      ok: false,
      code: ErrorCode.BAD_JSON,
      message: `frame is not valid JSON: ${(error as Error).message}`,
    };
  }
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    return { ok: false, code: ErrorCode.UNKNOWN_TYPE, message: 'frame has no known "type"' };
  }
  return { ok: true, frame: data as ServerFrame };
}
