/**
 * A client website as the chat server uses it: the `sites` row with its JSON columns parsed into
 * typed values. Site keys are public (they are in the client's page), so nothing here is secret
 * except the group ids behind topics, which only the server needs.
 */

/** "HH:MM" in the site's time zone; "24:00" is allowed as the end of a day. */
export type ClockTime = string;

/** A greeting shown from `from` until `to` (exclusive); `to` before `from` wraps past midnight. */
export interface Greeting {
  from: ClockTime;
  to: ClockTime;
  text: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Opening periods of one day; `close` before `open` runs past midnight into the next day. */
export interface OpeningPeriod {
  open: ClockTime;
  close: ClockTime;
}

/** Opening periods per weekday. An empty object means always open; a missing day means closed. */
export type BusinessHours = Partial<Record<Weekday, OpeningPeriod[]>>;

export interface PrechatField {
  /** Key under which the answer is stored in visitors.attributes. */
  name: string;
  label: string;
  type: 'text' | 'email' | 'tel' | 'textarea' | 'select' | 'checkbox';
  required: boolean;
  /** Choices, for type 'select'. */
  options?: string[];
}

/** A subject the visitor may pick; the server routes the conversation to its group. */
export interface Topic {
  label: string;
  groupId: string;
}

/** How the widget looks: whatever the widget styles from. Unknown keys are dropped. */
export interface WidgetSettings {
  color?: string;
  position?: 'left' | 'right';
  launcherText?: string;
  title?: string;
}

export interface Site {
  id: string;
  orgId: string;
  clientId: string;
  name: string;
  siteKey: string;
  /** Hosts allowed to embed the widget: exact hosts or "*.example.com" wildcards (src/http/origin.ts). */
  allowedDomains: string[];
  widgetSettings: WidgetSettings;
  greetings: Greeting[];
  businessHours: BusinessHours;
  /** An IANA zone known to this runtime's Intl (an unknown zone in the row falls back to UTC). */
  timeZone: string;
  prechatFields: PrechatField[];
  topics: Topic[];
  defaultGroupId: string | null;
  /** The site's client is archived: its history stays, but the site takes no new chats. */
  clientArchived: boolean;
}
