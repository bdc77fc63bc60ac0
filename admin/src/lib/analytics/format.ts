/** How the analytics page writes durations, ratings and counts. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function rating(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Number(value).toFixed(2)} / 5`;
}

export function count(value: number | null | undefined): string {
  return new Intl.NumberFormat().format(Number(value ?? 0));
}
