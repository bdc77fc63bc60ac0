/** Options of the auth stand-in, resolved once with the Supabase CLI's local defaults. */
import type postgres from 'postgres';

export interface AuthStandinOptions {
  /** Superuser connection URL of the database that holds the `auth` schema (bootstrap/10-auth.sql). */
  dbUrl: string;
  /** HS256 secret shared with PostgREST; signs and verifies access tokens. */
  jwtSecret: string;
  /** The app's URL: where /verify redirects by default. CLI default `http://127.0.0.1:3000`. */
  siteUrl?: string;
  /**
   * The public URL of this API as browsers see it (the gateway's `/auth/v1`). It is the access tokens'
   * `iss` claim and the base of the links in invite/recovery mails. Default
   * `http://127.0.0.1:54321/auth/v1`, as the Supabase CLI.
   */
  externalUrl?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Receives one line per notable event, including the links hosted Supabase would e-mail. */
  log?: (line: string) => void;
  /** Access-token lifetime in seconds. Default 3600, as hosted. */
  jwtExpirySeconds?: number;
  /**
   * How long a just-rotated refresh token may still be exchanged (concurrent tabs). Default 10 s,
   * GoTrue's default. Tests that check `refresh_token_already_used` set 0.
   */
  refreshTokenReuseIntervalSeconds?: number;
}

export interface StandinConfig {
  jwtSecret: string;
  siteUrl: string;
  externalUrl: string;
  jwtExpirySeconds: number;
  refreshTokenReuseIntervalSeconds: number;
  /** Lifetime of invite/recovery links (GoTrue's mailer OTP expiry). */
  otpExpirySeconds: number;
  /** The Supabase CLI's `minimum_password_length`. */
  minPasswordLength: number;
  /** The audience every user gets, as GoTrue's default `GOTRUE_JWT_AUD`. */
  aud: string;
  /** JWT roles allowed on /admin and /invite, as GoTrue's default `GOTRUE_JWT_ADMIN_ROLES`. */
  adminRoles: readonly string[];
  log: (line: string) => void;
}

export function resolveConfig(options: AuthStandinOptions): StandinConfig {
  const positive = (name: string, value: number | undefined, fallback: number, allowZero = false) => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      throw new Error(
        `auth stand-in: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`,
      );
    }
    return v;
  };
  if (!options.jwtSecret || options.jwtSecret.length < 32) {
    throw new Error('auth stand-in: jwtSecret must be at least 32 characters (as Supabase requires)');
  }
  return {
    jwtSecret: options.jwtSecret,
    siteUrl: trimSlash(options.siteUrl ?? 'http://127.0.0.1:3000'),
    externalUrl: trimSlash(options.externalUrl ?? 'http://127.0.0.1:54321/auth/v1'),
    jwtExpirySeconds: positive('jwtExpirySeconds', options.jwtExpirySeconds, 3600),
    refreshTokenReuseIntervalSeconds: positive(
      'refreshTokenReuseIntervalSeconds',
      options.refreshTokenReuseIntervalSeconds,
      10,
      true,
    ),
    otpExpirySeconds: 3600,
    minPasswordLength: 6,
    aud: 'authenticated',
    adminRoles: ['service_role', 'supabase_admin'],
    log: options.log ?? ((line) => console.log(line)),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** A connection or an open transaction: query helpers accept either. */
export type Db = postgres.ISql;

/** What every route handler receives. */
export interface RouteContext {
  sql: postgres.Sql;
  config: StandinConfig;
  /** The request path and query as received (the gateway already stripped `/auth/v1`). */
  url: URL;
  /** Named path segments, e.g. `{ id }` for /admin/users/{id}. */
  params: Record<string, string>;
}
