/**
 * Preloaded into every measured server process (`node --expose-gc --import tsx --import
 * memory-probe.ts <server>`), ours and the references alike: answers `{ cmd: 'memory' }` over
 * IPC with process.memoryUsage() taken after full garbage collections, so the figures are live
 * objects, not garbage that happens not to be collected yet.
 */
const collect = (globalThis as { gc?: () => void }).gc;

process.on('message', (message: { id?: number; cmd?: string }) => {
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

export {};
