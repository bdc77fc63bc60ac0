/**
 * Sessions and rotating refresh tokens, stored as GoTrue stores them (auth.sessions, auth.refresh_tokens,
 * auth.mfa_amr_claims).
 *
 * Each session owns one chain of refresh tokens. Exchanging a token revokes it and issues its child.
 * Presenting a revoked token again is allowed in two cases, as in GoTrue: it is the parent of the
 * currently active token (the client lost the last answer; it gets the active token back), or it was
 * revoked less than `refreshTokenReuseIntervalSeconds` ago (concurrent tabs). Otherwise it is a replay:
 * the whole chain is revoked and the answer is 400 `refresh_token_already_used`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { Db, StandinConfig } from './config.ts';
import { AuthApiError, badRequest, OAuthError } from './errors.ts';
import { type AmrEntry, signAccessToken } from './tokens.ts';
import { findUserById, isBanned, listIdentities, type UserRow, userJson } from './users.ts';

/** How the session was authenticated, as GoTrue names it in the `amr` claim. */
export type AuthMethod = 'password' | 'otp' | 'invite' | 'recovery';

interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  parent: string | null;
  session_id: string | null;
  revoked_seconds_ago: number;
}

/** Legacy GoTrue refresh tokens are 12 random URL-safe characters. */
function newRefreshToken(): string {
  return randomBytes(9).toString('base64url');
}

async function insertRefreshToken(db: Db, userId: string, sessionId: string, parent: string | null) {
  const token = newRefreshToken();
  await db`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${token}, ${userId}, false, now(), now(), ${parent}, ${sessionId})`;
  return token;
}

async function loadAmr(db: Db, sessionId: string): Promise<AmrEntry[]> {
  const rows = await db<{ method: string; at: number }[]>`
    select authentication_method as method, extract(epoch from updated_at)::bigint::int as at
    from auth.mfa_amr_claims where session_id = ${sessionId} order by updated_at desc`;
  return rows.map((row) => ({ method: row.method, timestamp: row.at }));
}

/** The token endpoint's success body: `{ access_token, token_type, expires_in, expires_at, refresh_token, user }`. */
async function tokenResponse(
  db: Db,
  config: StandinConfig,
  user: UserRow,
  sessionId: string,
  refreshToken: string,
) {
  const signed = signAccessToken(config, user, sessionId, await loadAmr(db, sessionId));
  return {
    access_token: signed.accessToken,
    token_type: 'bearer',
    expires_in: signed.expiresIn,
    expires_at: signed.expiresAt,
    refresh_token: refreshToken,
    user: userJson(user, await listIdentities(db, user.id)),
  };
}

export type TokenResponse = Awaited<ReturnType<typeof tokenResponse>>;

/** Signs the user in: a new session, its first refresh token, last_sign_in_at updated. */
export async function startSession(
  sql: postgres.Sql,
  config: StandinConfig,
  userId: string,
  method: AuthMethod,
): Promise<TokenResponse> {
  return sql.begin(async (tx) => {
    const sessionId = randomUUID();
    await tx`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values (${sessionId}, ${userId}, now(), now(), 'aal1')`;
    await tx`
      insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
      values (${randomUUID()}, ${sessionId}, now(), now(), ${method})`;
    await tx`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
    await tx`update auth.identities set last_sign_in_at = now() where user_id = ${userId}`;
    const refreshToken = await insertRefreshToken(tx, userId, sessionId, null);
    const user = await findUserById(tx, userId);
    if (!user) throw new Error(`user ${userId} vanished while signing in`);
    return tokenResponse(tx, config, user, sessionId, refreshToken);
  });
}

/** The refresh_token grant. Serialised per session by row locks, so concurrent refreshes stay consistent. */
export async function refreshSession(
  sql: postgres.Sql,
  config: StandinConfig,
  token: string,
): Promise<TokenResponse> {
  if (!token) throw new OAuthError('invalid_request', 'refresh_token required');
  const replay = await sql.begin(async (tx) => {
    const [row] = await tx<RefreshTokenRow[]>`
      select id, token, user_id, revoked, parent, session_id,
        extract(epoch from now() - updated_at)::float8 as revoked_seconds_ago
      from auth.refresh_tokens where token = ${token} for update`;
    if (!row) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    const user = await findUserById(tx, row.user_id);
    if (!user) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    if (isBanned(user)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
    if (!row.session_id)
      throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
    const [session] = await tx<{ id: string; not_after: Date | null }[]>`
      select id, not_after from auth.sessions where id = ${row.session_id} for update`;
    if (!session) throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
    if (session.not_after && session.not_after.getTime() < Date.now()) {
      throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired');
    }

    let issued: string | undefined;
    if (row.revoked) {
      const [active] = await tx<{ token: string; parent: string | null }[]>`
        select token, parent from auth.refresh_tokens
        where session_id = ${session.id} and revoked = false order by id desc limit 1`;
      if (active?.parent === row.token) {
        issued = active.token; // the client missed our last answer: hand it the active token again
      } else if (row.revoked_seconds_ago > config.refreshTokenReuseIntervalSeconds) {
        await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = ${session.id}`;
        // Committed on purpose: the revocation must stick even though the request fails.
        return new AuthApiError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
      }
    }
    if (!issued) {
      await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${row.id}`;
      issued = await insertRefreshToken(tx, user.id, session.id, row.token);
    }
    await tx`update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now() where id = ${session.id}`;
    return tokenResponse(tx, config, user, session.id, issued);
  });
  if (replay instanceof AuthApiError) {
    config.log(`[auth] refresh token reuse detected; session of that token revoked`);
    throw replay;
  }
  return replay;
}

/** POST /logout scopes: `global` ends every session of the user, `local` this one, `others` all but this one. */
export async function endSessions(
  db: Db,
  userId: string,
  sessionId: string | null,
  scope: 'global' | 'local' | 'others',
): Promise<void> {
  if (sessionId && scope === 'local') {
    await db`delete from auth.sessions where id = ${sessionId}`;
  } else if (sessionId && scope === 'others') {
    await db`delete from auth.sessions where user_id = ${userId} and id <> ${sessionId}`;
  } else {
    await db`delete from auth.sessions where user_id = ${userId}`;
  }
}
