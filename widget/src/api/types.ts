/** Shapes of the widget HTTP endpoints (chat-server/HTTP.md). */

export interface PrechatField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'tel' | 'textarea' | 'select' | 'checkbox';
  required: boolean;
  options?: string[];
}

export interface WidgetConfig {
  protocolVersion: number;
  site: { key: string; name: string; title: string };
  widget: { color: string | null; position: 'left' | 'right'; launcherText: string | null };
  greeting: string | null;
  timeZone: string;
  open: boolean;
  agentsOnline: boolean;
  available: boolean;
  prechatFields: PrechatField[];
  topics: { label: string }[];
}

export interface SessionAnswer {
  token: string;
  expiresAt: string;
  resumed: boolean;
  visitor: { id: string; name: string; email: string };
  openConversationId: string | null;
}
