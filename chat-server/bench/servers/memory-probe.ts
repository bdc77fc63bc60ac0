/**
 * Preloaded into every measured server process (`node --expose-gc --import tsx --import
 * memory-probe.ts <server>`), ours and the references alike: answers `{ cmd: 'memory' }` over
 * IPC with process.memoryUsage() taken after full garbage collections, so the figures are live
 * objects, not garbage that happens not to be collected yet.
 */
import { writeHeapSnapshot } from 'node:v8';

const collect = (globalThis as { gc?: () => void }).gc;

process.on('message', (message: { id?: number; cmd?: string; path?: string }) => {
  // Diagnostics: a heap snapshot to see what a connection keeps (open it in Chrome DevTools).
  if (message?.cmd === 'snapshot' && message.path) {
    collect?.();
    process.send?.({ id: message.id, path: writeHeapSnapshot(message.path) });
    return;
  }
  if (message?.cmd !== 'memory') return;
  // Several passes: weak references and finalizers free more on the second and third.
  for (let i = 0; i < 4; i++) collect?.();
  setTimeout(() => {
    collect?.();
    process.send?.({ id: message.id, memory: process.memoryUsage(), gc: collect !== undefined });
  }, 200);
});
// The IPC channel must not keep a server alive after it closed everything else.
process.channel?.unref();
