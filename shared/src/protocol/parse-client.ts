import { CLIENT_FRAME_SCHEMAS, type ClientFrame } from './client-frames.ts';
import { MAX_FRAME_BYTES } from './limits.ts';
import { type ParseResult, parseFrame } from './parse.ts';

/**
 * Server side: parses one client frame. Never throws. Refuses frames over `MAX_FRAME_BYTES`
 * (`frame_too_large`), bad JSON (`bad_json`), a missing or unknown `type` (`unknown_type`),
 * and missing, mistyped or unknown fields (`invalid_frame`, naming the field).
 */
export function parseClientFrame(raw: string): ParseResult<ClientFrame> {
  return parseFrame(raw, CLIENT_FRAME_SCHEMAS, { maxBytes: MAX_FRAME_BYTES }) as ParseResult<ClientFrame>;
}
