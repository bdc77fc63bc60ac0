/** Row shapes of the tables the admin app reads (see supabase/migrations). */
import type { OrgRole } from '../roles.ts';

export interface Organization {
  id: string;
  name: string;
  slug: string;
  settings: Record<string, unknown>;
}

export interface Membership {
  org_id: string;
  user_id: string;
  role: OrgRole;
  client_id: string | null;
  display_name: string;
  email: string;
  organization: { name: string; slug: string } | null;
  client: { name: string } | null;
}

export interface Member {
  org_id: string;
  user_id: string;
  role: OrgRole;
  client_id: string | null;
  display_name: string;
  email: string;
  max_chats: number;
  active: boolean;
}

export interface Client {
  id: string;
  org_id: string;
  name: string;
  contact_email: string;
  notes: string;
  archived_at: string | null;
  created_at: string;
}

export interface Greeting {
  from: string;
  to: string;
  text: string;
}

export interface OpenInterval {
  open: string;
  close: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface PrechatField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'tel' | 'textarea';
  required: boolean;
}

export interface Topic {
  label: string;
  group_id: string;
}

export interface WidgetSettings {
  color?: string;
  position?: 'left' | 'right';
  launcherText?: string;
  title?: string;
}

export interface Site {
  id: string;
  org_id: string;
  client_id: string;
  name: string;
  site_key: string;
  allowed_domains: string[];
  widget_settings: WidgetSettings;
  greetings: Greeting[];
  business_hours: Partial<Record<Weekday, OpenInterval[]>>;
  time_zone: string;
  prechat_fields: PrechatField[];
  topics: Topic[];
  default_group_id: string | null;
  created_at: string;
}

export interface Group {
  id: string;
  org_id: string;
  name: string;
  description: string;
  routing_mode: 'auto' | 'manual';
  offer_timeout_seconds: number;
}

export interface GroupMember {
  org_id: string;
  group_id: string;
  user_id: string;
  max_chats: number;
  skills: string[];
  languages: string[];
}

export interface Faq {
  id: string;
  org_id: string;
  client_id: string | null;
  question: string;
  answer: string;
  tags: string[];
  use_count: number;
  updated_at: string;
}

export interface Snippet {
  id: string;
  org_id: string;
  owner_id: string | null;
  shortcut: string;
  title: string;
  body: string;
}

export type ConversationStatus = 'queued' | 'active' | 'closed' | 'offline';
export type SenderKind = 'visitor' | 'agent' | 'system' | 'note';

export interface ConversationRow {
  id: string;
  org_id: string;
  client_id: string;
  site_id: string;
  status: ConversationStatus;
  group_id: string | null;
  assignee_id: string | null;
  topic: string;
  created_at: string;
  queued_at: string;
  assigned_at: string | null;
  first_response_at: string | null;
  closed_at: string | null;
  rating: number | null;
  feedback: string;
  visitor: { name: string; email: string; user_agent: string; attributes: Record<string, unknown> } | null;
  client: { name: string } | null;
  group: { name: string } | null;
}

export interface MessageRow {
  id: string;
  seq: number;
  sender_kind: SenderKind;
  sender_id: string | null;
  body: string;
  payload: Record<string, unknown>;
  created_at: string;
}

export interface AttachmentRow {
  id: string;
  message_id: string | null;
  file_name: string;
  content_type: string;
  size_bytes: number;
  created_at: string;
}
