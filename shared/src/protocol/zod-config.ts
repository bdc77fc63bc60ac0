/**
 * zod compiles object parsers with `new Function` when it can, and probes for that ability as
 * each object schema is built. In a browser that probe alone files a CSP violation report on
 * pages whose Content-Security-Policy forbids eval, which is exactly where the widget must run
 * cleanly. So in browsers the schemas are built jitless; Node (the chat server) keeps the faster path.
 * Imported first by fields.ts, which every schema module imports, so it runs before any schema exists.
 */
import * as z from 'zod/mini';

if ('document' in globalThis) z.config({ jitless: true });
