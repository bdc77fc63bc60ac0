/**
 * Turns a `sites` row into a typed Site. The JSON columns are edited by managers in the admin app,
 * so a bad entry must not take the widget down: each invalid entry is dropped and described in
 * `problems`, which the caller logs, and the rest of the site still works.
 */
import { z } from 'zod';
import type { BusinessHours, Greeting, PrechatField, Site, Topic, Weekday, WidgetSettings } from './types.ts';
import { WEEKDAYS } from './types.ts';

/** The columns selected by the queries in queries.ts. */
export interface SiteRow {
  id: string;
  org_id: string;
  client_id: string;
  name: string;
  site_key: string;
  allowed_domains: string[];
  widget_settings: unknown;
  greetings: unknown;
  business_hours: unknown;
  time_zone: string;
  prechat_fields: unknown;
  topics: unknown;
  default_group_id: string | null;
  /** Computed by the query: the site's client has `archived_at` set. */
  client_archived: boolean;
}

const WEEK_ORDER: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const clock = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be "HH:MM"');
const GreetingSchema = z.object({ from: clock, to: clock, text: z.string().min(1).max(1000) });
const PeriodSchema = z.object({ open: clock, close: clock });
const PrechatFieldSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
  label: z.string().min(1).max(200),
  type: z.enum(['text', 'email', 'tel', 'textarea', 'select', 'checkbox']).default('text'),
  required: z.boolean().default(false),
  options: z.array(z.string().max(200)).max(100).optional(),
});
const TopicSchema = z.object({ label: z.string().min(1).max(200), group_id: z.uuid() });
const WidgetSchema = {
  color: z.string().regex(/^#[0-9a-fA-F]{3,8}$/),
  position: z.enum(['left', 'right']),
  launcherText: z.string().max(100),
  title: z.string().max(200),
};

export function parseSiteRow(row: SiteRow): { site: Site; problems: string[] } {
  const problems: string[] = [];
  const site: Site = {
    id: row.id,
    orgId: row.org_id,
    clientId: row.client_id,
    name: row.name,
    siteKey: row.site_key,
    allowedDomains: row.allowed_domains ?? [],
    widgetSettings: parseWidgetSettings(row.widget_settings, problems),
    greetings: parseList(row.greetings, GreetingSchema, 'greetings', problems) as Greeting[],
    businessHours: parseBusinessHours(row.business_hours, problems),
    timeZone: parseTimeZone(row.time_zone, problems),
    prechatFields: parseList(
      row.prechat_fields,
      PrechatFieldSchema,
      'prechat_fields',
      problems,
    ) as PrechatField[],
    topics: parseList(row.topics, TopicSchema, 'topics', problems).map(
      (t): Topic => ({ label: t.label, groupId: t.group_id }),
    ),
    defaultGroupId: row.default_group_id,
    clientArchived: row.client_archived,
  };
  return { site, problems };
}

function parseList<T extends z.ZodType>(value: unknown, schema: T, column: string, problems: string[]) {
  if (!Array.isArray(value)) {
    problems.push(`${column} is not an array`);
    return [];
  }
  const out: z.infer<T>[] = [];
  value.forEach((entry, i) => {
    const parsed = schema.safeParse(entry);
    if (parsed.success) out.push(parsed.data);
    else problems.push(`${column}[${i}] dropped: ${summarize(parsed.error)}`);
  });
  return out;
}

function parseWidgetSettings(value: unknown, problems: string[]): WidgetSettings {
  const out: Record<string, unknown> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('widget_settings is not an object');
    return out;
  }
  for (const [key, schema] of Object.entries(WidgetSchema)) {
    const raw = (value as Record<string, unknown>)[key];
    if (raw === undefined) continue;
    const parsed = schema.safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`widget_settings.${key} dropped: ${summarize(parsed.error)}`);
  }
  return out as WidgetSettings;
}

function parseBusinessHours(value: unknown, problems: string[]): BusinessHours {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('business_hours is not an object');
    return {};
  }
  const days = value as Record<string, unknown>;
  for (const day of Object.keys(days)) {
    if (!WEEKDAYS.includes(day as Weekday))
      problems.push(`business_hours.${day} dropped: not a weekday (use mon…sun)`);
  }
  // Monday first, whatever order jsonb stored the keys in.
  const out: BusinessHours = {};
  for (const day of WEEK_ORDER) {
    if (day in days) out[day] = parseList(days[day], PeriodSchema, `business_hours.${day}`, problems);
  }
  return out;
}

/** Intl throws a RangeError for a zone it does not know; such a site runs on UTC until fixed. */
function parseTimeZone(zone: string, problems: string[]): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    problems.push(`time_zone "${zone}" is unknown; using UTC`);
    return 'UTC';
  }
}

function summarize(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'value'} ${i.message}`).join('; ');
}
