import Papa from 'papaparse';
import type { UsageRow } from '$lib/data/analytics.ts';

/** The invoicing export: one row per client and month. */
export function usageCsv(rows: UsageRow[]): string {
  return Papa.unparse(
    rows.map((r) => ({
      month: r.month.slice(0, 7),
      client: r.client_name ?? '',
      chats: r.chats,
      chat_minutes: r.chat_minutes,
    })),
    { escapeFormulae: true },
  );
}
