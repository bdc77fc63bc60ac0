/**
 * The analytics RPCs (supabase/migrations/20261121001000_admin_analytics.sql). They are security
 * invoker, so each user's figures cover exactly the conversations RLS lets them read.
 */
import { supabase } from '../supabase.ts';
import { unwrap } from './result.ts';

export interface AnalyticsRange {
  orgId: string;
  from: Date;
  to: Date; // exclusive
  clientId: string | null;
  timeZone: string;
}

export interface Figures {
  chats: number;
  avg_wait_s: number | null;
  avg_first_response_s: number | null;
  avg_handling_s: number | null;
  avg_rating: number | null;
  rated: number;
  chat_minutes: number;
}

export type Summary = Figures & { answered: number; missed: number };
export type BreakdownRow = Figures & { key: string | null; label: string | null };
export type DailyRow = Figures & { day: string; group_id: string | null; group_name: string | null };
export interface VolumeRow {
  day_of_week: number;
  hour: number;
  chats: number;
}
export interface QuestionRow {
  question: string;
  chats: number;
  last_asked_at: string;
}
export interface UsageRow {
  month: string;
  client_id: string;
  client_name: string | null;
  chats: number;
  chat_minutes: number;
}
export type Dimension = 'agent' | 'group' | 'client';

function args(range: AnalyticsRange) {
  return {
    p_org_id: range.orgId,
    p_from: range.from.toISOString(),
    p_to: range.to.toISOString(),
    p_client_id: range.clientId,
  };
}

// PostgREST returns numeric columns as numbers; bigint counts too (they fit in a double here).
export async function summary(range: AnalyticsRange): Promise<Summary> {
  const rows = unwrap(await supabase().rpc('analytics_summary', args(range))) as Summary[];
  return rows[0]!;
}

export async function volume(range: AnalyticsRange): Promise<VolumeRow[]> {
  return unwrap(await supabase().rpc('analytics_volume', { ...args(range), p_time_zone: range.timeZone }));
}

export async function daily(range: AnalyticsRange): Promise<DailyRow[]> {
  return unwrap(await supabase().rpc('analytics_daily', { ...args(range), p_time_zone: range.timeZone }));
}

export async function breakdown(range: AnalyticsRange, dimension: Dimension): Promise<BreakdownRow[]> {
  return unwrap(await supabase().rpc('analytics_breakdown', { ...args(range), p_dimension: dimension }));
}

export async function topQuestions(range: AnalyticsRange, limit = 8): Promise<QuestionRow[]> {
  return unwrap(await supabase().rpc('analytics_top_questions', { ...args(range), p_limit: limit }));
}

export async function clientUsage(range: AnalyticsRange): Promise<UsageRow[]> {
  return unwrap(
    await supabase().rpc('analytics_client_usage', { ...args(range), p_time_zone: range.timeZone }),
  );
}
