import * as z from 'zod/mini';
import { Ref } from './fields.ts';

/**
 * Builds a frame schema: `{ type, ref?, ...fields }`, rejecting unknown fields.
 * `ref` is optional on every frame in both directions: a client sets it to match the answer
 * to its request, and the server copies it into that answer (and only that one).
 */
export function frame<const T extends string, S extends z.core.$ZodLooseShape>(type: T, fields: S) {
  return z.strictObject({ type: z.literal(type), ref: z.optional(Ref), ...fields });
}
