/** supabase-js answers { data, error }; data modules throw the error so pages handle one shape. */
export function unwrap<T>(result: { data: T | null; error: unknown }): T {
  if (result.error) throw result.error;
  return result.data as T;
}

/**
 * RLS turns a forbidden update or delete into "0 rows", not an error; this makes it one, so the user
 * is told instead of seeing a change that silently did not happen.
 */
export function expectChanged(result: { data: unknown[] | null; error: unknown }): void {
  const rows = unwrap(result);
  if (rows.length === 0)
    throw new Error('Nothing was changed: it no longer exists or you may not change it.');
}
