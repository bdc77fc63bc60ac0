/** Helpers that break valid frames in known ways, for tests. */

/** A value of a different JSON type than `value`. */
export function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'not a number';
  if (typeof value === 'boolean') return 'yes';
  return 'not an object';
}

/** A copy of `frame` with `key` set to `value`. */
export function withField(frame: object, key: string, value: unknown): Record<string, unknown> {
  return { ...frame, [key]: value };
}
