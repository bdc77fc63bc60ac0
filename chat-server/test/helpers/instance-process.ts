/**
 * A chat-server instance as a separate OS process, so a test (or the bench, or the demo) can
 * `kill -9` it like a crashed machine. Runs `node --import tsx chat-server/src/main.ts` directly,
 * never through the tsx CLI: the CLI forks a second node process, and killing the wrapper would
 * leave the real server running.
 *
 * It resolves once the process logs its listening line (pino JSON with `url`), so the caller gets
 * the real port even with PORT=0. Nothing here depends on vitest.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHAT_SERVER_MAIN = resolve(REPO_ROOT, 'chat-server/src/main.ts');

export interface InstanceProcess {
  readonly label: string;
  readonly pid: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** ws://127.0.0.1:<port> (append the WebSocket path yourself). */
  readonly wsBase: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines of output, for error messages. */
  output(): string;
  /** Sends `signal` (default SIGKILL) and waits for the exit. Idempotent. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface InstanceOptions {
  /** Added to a minimal environment (PATH, HOME); DATABASE_URL, REDIS_URL, secrets… go here. */
  env: Record<string, string | undefined>;
  /** A name for messages ("A", "B"). */
  label?: string;
  /** Script to run; default chat-server/src/main.ts. */
  entry?: string;
  /** Extra node flags placed before the script (e.g. --expose-gc, another --import). */
  nodeArgs?: string[];
  /** Open an IPC channel (child.send / process.on('message')). */
  ipc?: boolean;
  /** Reads the URL out of one line of output; default: pino's `chat server listening` line. */
  readyLine?: (line: string) => string | undefined;
  /** How long to wait for the ready line. Default 30 s. */
  timeoutMs?: number;
  /** Receives every output line (verbose runs). */
  onLine?: (line: string) => void;
}

const live = new Set<ChildProcess>();

// Last line of defence: a crashed test or bench must not leave servers behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function pinoListeningLine(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return entry.msg === 'chat server listening' && typeof entry.url === 'string' ? entry.url : undefined;
  } catch {
    return undefined;
  }
}

export async function startInstanceProcess(options: InstanceOptions): Promise<InstanceProcess> {
  const label = options.label ?? 'chat-server';
  const entry = options.entry ?? CHAT_SERVER_MAIN;
  const readyLine = options.readyLine ?? pinoListeningLine;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      done({ code, signal });
    });
  });

  let tail: string[] = [];
  let onReady: ((url: string) => void) | undefined;
  const readLines = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 60) tail = tail.slice(-40);
        options.onLine?.(`[${label}] ${line}`);
        const url = onReady ? readyLine(line) : undefined;
        if (url) onReady?.(url);
      }
    });
  };
  readLines(child.stdout);
  readLines(child.stderr);
  const output = () => tail.join('\n');

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };

  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      onReady = resolveUrl;
      child.once('error', (error) => reject(new Error(`cannot start ${label}: ${error.message}`)));
      exited.then(({ code, signal }) =>
        reject(new Error(`${label} exited (${code ?? signal}) before listening:\n${output()}`)),
      );
      timer = setTimeout(
        () =>
          reject(new Error(`${label} did not log its listening line within ${timeoutMs} ms:\n${output()}`)),
        timeoutMs,
      );
    });
    onReady = undefined;
    const port = Number(new URL(url).port);
    return {
      label,
      pid: child.pid as number,
      url,
      port,
      wsBase: url.replace(/^http/, 'ws'),
      child,
      exited,
      output,
      kill,
    };
  } catch (error) {
    await kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
