/**
 * The widget's demo site as an `npm start` service: builds the widget (widget/dist/widget.js and
 * widget.css), then serves the "Acme Travel" page with the widget installed by its two lines,
 * talking to the chat server started before it (CHAT_SERVER_URL).
 */
import type { ForegroundService } from '../../supabase/local/foreground.ts';
import { buildWidget } from '../../widget/demo/build.ts';
import { startDemoServer } from '../../widget/demo/server.ts';

export function widgetDemoService(): ForegroundService {
  return {
    name: 'widget demo',
    async start(env) {
      const chatServerUrl = env.CHAT_SERVER_URL ?? process.env.CHAT_SERVER_URL ?? 'http://127.0.0.1:8787';
      await buildWidget();
      const demo = await startDemoServer({
        chatServerUrl,
        port: Number(process.env.WIDGET_DEMO_PORT ?? 5180),
        host: '127.0.0.1',
      });
      return {
        banner: [
          '',
          'Widget demo (Acme Travel, site key acme_travel_demo)',
          `  demo page         ${demo.url}/`,
          `  widget files      ${demo.url}/widget.js  ${demo.url}/widget.css`,
        ],
        env: { WIDGET_DEMO_URL: demo.url },
        stop: () => demo.close(),
        exited: new Promise<Error>(() => {}),
      };
    },
  };
}
