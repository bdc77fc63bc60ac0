/**
 * DEVELOPMENT STAND-IN for Supabase Auth (GoTrue). Never used in production: a hosted Supabase project
 * runs the real Supabase Auth, and no production code may import this module.
 *
 * It serves the routes supabase-js v2 calls (token, signup, user, logout, recover, invite, verify,
 * admin users, settings, health) with GoTrue's JSON shapes, status codes and error codes, on top of the
 * same `auth` tables hosted Supabase has (bootstrap/10-auth.sql). The local gateway mounts it under
 * `/auth/v1`, checks the `apikey` and passes requests on with that prefix stripped.
 *
 * Deliberate simplifications: no e-mails (links are logged), no phone/SMS, OAuth, SSO, MFA, PKCE,
 * anonymous sign-ins or bans; e-mail changes apply at once; rate limits are off.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { type AuthStandinOptions, resolveConfig } from './config.ts';
import { createRequestHandler } from './server.ts';

export type { AuthStandinOptions } from './config.ts';

export interface AuthStandin {
  /** e.g. `http://127.0.0.1:41234`; GoTrue's routes live at its root. */
  url: string;
  port: number;
  /** Stops accepting requests, closes open connections and the database pool. */
  stop(): Promise<void>;
}

export async function startAuthStandin(options: AuthStandinOptions): Promise<AuthStandin> {
  const config = resolveConfig(options);
  const sql = postgres(options.dbUrl, {
    max: 5,
    idle_timeout: 30,
    onnotice: () => {},
    connection: { application_name: 'auth-standin' },
  });
  try {
    // Fail at start, with a clear message, rather than on the first sign-in.
    await sql`select 1 from auth.users limit 1`;
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new Error(
      `auth stand-in: cannot use auth.users (did bootstrap/10-auth.sql run?): ${(error as Error).message}`,
    );
  }

  const server = createServer(createRequestHandler(sql, config));
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      void sql.end({ timeout: 1 });
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`auth stand-in: port ${options.port} is already in use`)
          : error,
      );
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await sql.end({ timeout: 5 });
      })();
      return stopping;
    },
  };
}
