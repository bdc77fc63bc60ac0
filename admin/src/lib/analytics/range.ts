/** The analytics filters, kept in the URL so a report can be shared and reloaded. */
import { addDays, format, startOfDay, subDays } from 'date-fns';

export interface RangeFilters {
  from: string; // yyyy-mm-dd, inclusive
  to: string; // yyyy-mm-dd, inclusive
  clientId: string;
}

export function rangeFromUrl(params: URLSearchParams, today = new Date()): RangeFilters {
  const valid = (value: string | null) => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null);
  return {
    from: valid(params.get('from')) ?? format(subDays(today, 29), 'yyyy-MM-dd'),
    to: valid(params.get('to')) ?? format(today, 'yyyy-MM-dd'),
    clientId: params.get('client') ?? '',
  };
}

/** Local midnight of `from` up to (excluding) the midnight after `to`. */
export function rangeBounds(filters: RangeFilters): { from: Date; to: Date } {
  const from = startOfDay(new Date(`${filters.from}T00:00:00`));
  const to = addDays(startOfDay(new Date(`${filters.to}T00:00:00`)), 1);
  return to > from ? { from, to } : { from, to: addDays(from, 1) };
}
