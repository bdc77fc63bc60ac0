/**
 * One copy of the ids many connections repeat (organization, client, site): each principal
 * otherwise holds its own copy of each 36-character id, parsed afresh from its database row.
 * Bounded, so hostile or unusual input cannot grow it without limit; a cleared table only costs
 * duplicates again.
 */
const MAX_ENTRIES = 10_000;
const table = new Map<string, string>();

export function intern(value: string): string {
  const known = table.get(value);
  if (known !== undefined) return known;
  if (table.size >= MAX_ENTRIES) table.clear();
  table.set(value, value);
  return value;
}
