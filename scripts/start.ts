/**
 * `npm start`: everything a developer needs, in the foreground, stopped together by Ctrl-C.
 * Each entry is one service started in order; later ones receive the earlier ones' env (SUPABASE_URL,
 * keys, DATABASE_URL). The admin app and widget demo join this list in their own issues.
 */
import type { ForegroundService } from '../supabase/local/foreground.ts';
import { runInForeground } from '../supabase/local/foreground.ts';
import { localSupabaseService } from '../supabase/local/service.ts';
import { adminService } from './services/admin.ts';
import { chatServerService } from './services/chat-server.ts';
import { widgetDemoService } from './services/widget-demo.ts';

const services: ForegroundService[] = [
  localSupabaseService(),
  chatServerService(),
  widgetDemoService(),
  adminService(),
];

runInForeground(services).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
