/**
 * The public widget configuration: what GET /v1/widget/config answers. A pure function of the site,
 * the clock and whether an agent is online, so the time-of-day logic is tested without a server.
 * Nothing internal leaves here: no ids of the organization, client or groups, no allowed domains.
 */
import { PROTOCOL_VERSION } from '@chat/shared';
import { isOpenAt } from './business-hours.ts';
import { greetingAt } from './greeting.ts';
import type { BusinessHours, PrechatField, Site } from './types.ts';

export interface PublicWidgetConfig {
  protocolVersion: number;
  site: { key: string; name: string; title: string };
  widget: { color: string | null; position: 'left' | 'right'; launcherText: string | null };
  /** The greeting for the current time of day in the site's time zone; null when none covers now. */
  greeting: string | null;
  timeZone: string;
  businessHours: BusinessHours;
  /** Within business hours now. */
  open: boolean;
  /** At least one agent of a group this site routes to is online (regardless of business hours). */
  agentsOnline: boolean;
  /** open && agentsOnline: offer a live chat; otherwise the widget shows the offline-message form. */
  available: boolean;
  prechatFields: PrechatField[];
  /** Labels to offer; the chosen label goes back in `start_conversation.topic`. */
  topics: { label: string }[];
}

export function buildPublicConfig(
  site: Site,
  input: { now: Date; agentsOnline: boolean },
): PublicWidgetConfig {
  const open = isOpenAt(site.businessHours, site.timeZone, input.now);
  const ws = site.widgetSettings;
  return {
    protocolVersion: PROTOCOL_VERSION,
    site: { key: site.siteKey, name: site.name, title: ws.title ?? site.name },
    widget: {
      color: ws.color ?? null,
      position: ws.position ?? 'right',
      launcherText: ws.launcherText ?? null,
    },
    greeting: greetingAt(site.greetings, site.timeZone, input.now),
    timeZone: site.timeZone,
    businessHours: site.businessHours,
    open,
    agentsOnline: input.agentsOnline,
    available: open && input.agentsOnline,
    prechatFields: site.prechatFields,
    topics: site.topics.map((t) => ({ label: t.label })),
  };
}
