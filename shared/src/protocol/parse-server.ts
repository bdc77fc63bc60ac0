import { type ParseResult, parseFrame } from './parse.ts';
import { SERVER_FRAME_SCHEMAS, type ServerFrame } from './server-frames.ts';

/**
 * Client side (widget, admin): parses one server frame. Never throws. No size limit: the
 * server is trusted for size, and a `sync` page can be large. A client should log and drop a
 * frame that fails, which can only mean a server of another version or a bug.
 */
export function parseServerFrame(raw: string): ParseResult<ServerFrame> {
  return parseFrame(raw, SERVER_FRAME_SCHEMAS) as ParseResult<ServerFrame>;
}
