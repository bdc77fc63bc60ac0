/**
 * Parsing frames off the wire. Both parsers take the raw text of one WebSocket message and
 * never throw: whatever arrives, they return either the validated frame or an error code
 * and a readable message ready for an `error` frame.
 */
import type * as z from 'zod/mini';
import { ErrorCode } from './codes.ts';
import { describeIssues } from './issues.ts';
import { MAX_REF_LENGTH } from './limits.ts';

/** The outcome of parsing a frame: the frame, or why it was refused. */
export type ParseResult<F> =
  | { ok: true; frame: F }
  | {
      ok: false;
      code: ErrorCode;
      /** Readable, names the field; safe to send back in an `error` frame. */
      message: string;
      /** The frame's `ref` when one could be read, so the error can answer the request. */
      ref?: string;
    };

/** Options for `parseFrame`. */
export interface ParseOptions {
  /** Refuse text longer than this many UTF-8 bytes with `frame_too_large`. */
  maxBytes?: number;
}

/** Longest unknown type quoted back in an error message. */
const MAX_QUOTED_TYPE = 40;

/**
 * Parses one frame against a table of schemas keyed on `type`. The table lookup (rather than
 * a union) lets an unknown type get `unknown_type` and a known one get errors about its own fields.
 */
export function parseFrame<S extends Record<string, z.ZodMiniType>>(
  raw: string,
  schemas: S,
  options: ParseOptions = {},
): ParseResult<z.infer<S[keyof S]>> {
  if (typeof raw !== 'string') return fail(ErrorCode.BAD_JSON, 'frame must be text');
  if (options.maxBytes !== undefined && exceedsUtf8Bytes(raw, options.maxBytes)) {
    return fail(ErrorCode.FRAME_TOO_LARGE, `frame is larger than ${options.maxBytes} bytes`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (error) {
    return fail(ErrorCode.BAD_JSON, `frame is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail(ErrorCode.UNKNOWN_TYPE, 'frame must be a JSON object with a string "type"');
  }
  const record = data as Record<string, unknown>;
  const ref =
    typeof record.ref === 'string' && record.ref.length > 0 && record.ref.length <= MAX_REF_LENGTH
      ? record.ref
      : undefined;
  const type = record.type;
  if (typeof type !== 'string') {
    return fail(ErrorCode.UNKNOWN_TYPE, 'frame has no string "type"', ref);
  }
  // Object.hasOwn, not `in`: "constructor" or "__proto__" must not find Object.prototype.
  if (!Object.hasOwn(schemas, type)) {
    const quoted = JSON.stringify(
      type.length > MAX_QUOTED_TYPE ? `${type.slice(0, MAX_QUOTED_TYPE)}…` : type,
    );
    return fail(ErrorCode.UNKNOWN_TYPE, `unknown frame type ${quoted}`, ref);
  }
  const schema = schemas[type] as z.ZodMiniType;
  // reportInput lets the message say what was received ("received number").
  const result = schema.safeParse(data, { reportInput: true });
  if (!result.success) {
    return fail(
      ErrorCode.INVALID_FRAME,
      `invalid "${type}" frame: ${describeIssues(result.error.issues)}`,
      ref,
    );
  }
  return { ok: true, frame: result.data as z.infer<S[keyof S]> };
}

function fail(
  code: ErrorCode,
  message: string,
  ref?: string,
): { ok: false; code: ErrorCode; message: string; ref?: string } {
  return ref === undefined ? { ok: false, code, message } : { ok: false, code, message, ref };
}

/** True when the UTF-8 encoding of `text` is longer than `max` bytes, without encoding it. */
export function exceedsUtf8Bytes(text: string, max: number): boolean {
  // Each UTF-16 unit takes 1 to 3 UTF-8 bytes (a surrogate pair takes 4 for two units).
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes += unit < 0x80 ? 1 : unit < 0x800 || (unit >= 0xd800 && unit < 0xe000) ? 2 : 3;
    if (bytes > max) return true;
  }
  return false;
}
