/** GET /v1/widget/config: how the widget looks and whether anyone is there to answer. */
import { requestJson } from './http.ts';
import type { WidgetConfig } from './types.ts';

export function fetchConfig(server: string, site: string): Promise<WidgetConfig> {
  return requestJson<WidgetConfig>(`${server}/v1/widget/config?site=${encodeURIComponent(site)}`);
}
