/** Client-side ids: message ids for idempotent sends, request refs. Works outside secure contexts too. */
export function randomId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  let s = '';
  for (const b of bytes) s += b.toString(36).padStart(2, '0');
  return `${prefix}-${Date.now().toString(36)}-${s}`;
}
