import { createServer } from 'node:net';

/** Host every local service binds to: the stack is for this machine only. */
export const LOCAL_HOST = '127.0.0.1';

/** Resolves true when nothing listens on `port` at 127.0.0.1 (we can bind it ourselves). */
export function isPortFree(port: number, host = LOCAL_HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Fails with a message naming the port, what it was for and how to choose another, before anything
 * is started: a half-started stack on a busy port is harder to read than this one line.
 */
export async function assertPortFree(port: number, label: string, envHint: string): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`Invalid port ${port} for ${label}: expected an integer between 1 and 65535.`);
  }
  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} is already in use (${label}). Stop whatever is using it or set ${envHint} to another port.`,
    );
  }
}

/**
 * A port that was free a moment ago. For programs that need a number up front (Postgres, PostgREST);
 * the tiny race with another process grabbing it is acceptable for local development and tests.
 */
export function findFreePort(host = LOCAL_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not determine a free port.'))));
    });
  });
}
