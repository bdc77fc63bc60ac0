import {
  type AnalyticsRange,
  breakdown,
  clientUsage,
  daily,
  summary,
  topQuestions,
  volume,
} from '../data/analytics.ts';

/** Every figure of the analytics page, fetched in parallel. */
export async function report(range: AnalyticsRange, staff: boolean) {
  const [totals, byHour, byDay, agents, groups, clients, questions, usage] = await Promise.all([
    summary(range),
    volume(range),
    daily(range),
    breakdown(range, 'agent'),
    // Group and client names are not visible to a client_viewer; their own client is the whole set.
    staff ? breakdown(range, 'group') : Promise.resolve([]),
    staff ? breakdown(range, 'client') : Promise.resolve([]),
    topQuestions(range),
    clientUsage(range),
  ]);
  return { totals, byHour, byDay, agents, groups, clientsBreakdown: clients, questions, usage };
}
