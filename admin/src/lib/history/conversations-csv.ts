/** A history search as CSV, one conversation per row, durations in seconds. */
import Papa from 'papaparse';
import type { ConversationRow } from '../data/types.ts';

const seconds = (from: string | null, to: string | null) =>
  from && to ? Math.round((Date.parse(to) - Date.parse(from)) / 1000) : '';

export function conversationsToCsv(
  rows: ConversationRow[],
  agentName: (id: string | null) => string,
): string {
  return Papa.unparse(
    {
      fields: [
        'started_at',
        'client',
        'group',
        'topic',
        'agent',
        'visitor',
        'visitor_email',
        'status',
        'wait_s',
        'first_response_s',
        'duration_s',
        'rating',
        'feedback',
        'id',
      ],
      data: rows.map((c) => [
        c.created_at,
        c.client?.name ?? '',
        c.group?.name ?? '',
        c.topic,
        agentName(c.assignee_id),
        c.visitor?.name ?? '',
        c.visitor?.email ?? '',
        c.status,
        seconds(c.queued_at, c.assigned_at),
        seconds(c.assigned_at, c.first_response_at),
        seconds(c.created_at, c.closed_at),
        c.rating ?? '',
        c.feedback,
        c.id,
      ]),
    },
    { escapeFormulae: true },
  );
}
