/**
 * Access tokens: HS256 JWTs with the claims Supabase Auth issues, and their verification with GoTrue's
 * error messages (403 `bad_jwt` "invalid JWT: unable to parse or verify signature, <reason>").
 */
import jwt from 'jsonwebtoken';
import type { StandinConfig } from './config.ts';
import { forbidden } from './errors.ts';
import type { UserRow } from './users.ts';

/** One entry of the `amr` claim: how and when the session was authenticated. */
export interface AmrEntry {
  method: string;
  timestamp: number;
}

/** The claims of a verified token; only what the routes read is typed. */
export interface Claims {
  sub?: string;
  role?: string;
  aud?: string | string[];
  session_id?: string;
  is_anonymous?: boolean;
  [claim: string]: unknown;
}

export interface SignedAccessToken {
  accessToken: string;
  expiresAt: number;
  expiresIn: number;
}

/** Signs an access token for `user` in session `sessionId` (claim order as GoTrue's AccessTokenClaims). */
export function signAccessToken(
  config: StandinConfig,
  user: UserRow,
  sessionId: string,
  amr: AmrEntry[],
): SignedAccessToken {
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + config.jwtExpirySeconds;
  const claims = {
    iss: config.externalUrl,
    sub: user.id,
    aud: user.aud ?? config.aud,
    exp: expiresAt,
    iat: issuedAt,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role || 'authenticated',
    aal: 'aal1',
    amr,
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  };
  const accessToken = jwt.sign(claims, config.jwtSecret, { algorithm: 'HS256' });
  return { accessToken, expiresAt, expiresIn: config.jwtExpirySeconds };
}

/**
 * Verifies signature, algorithm and time claims. Failures are GoTrue's 403 `bad_jwt`, with the reason
 * worded as GoTrue's JWT library words it, so messages match what hosted Supabase answers.
 */
export function verifyAccessToken(config: StandinConfig, token: string): Claims {
  try {
    const decoded = jwt.verify(token, config.jwtSecret, { algorithms: ['HS256'] });
    if (typeof decoded === 'string') throw new jwt.JsonWebTokenError('jwt payload is not a JSON object');
    return decoded as Claims;
  } catch (error) {
    throw forbidden(
      'bad_jwt',
      `invalid JWT: unable to parse or verify signature, ${describeJwtError(error)}`,
    );
  }
}

function describeJwtError(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return 'token has invalid claims: token is expired';
  if (error instanceof jwt.NotBeforeError) return 'token has invalid claims: token is not valid yet';
  if (error instanceof jwt.JsonWebTokenError) {
    if (error.message === 'invalid signature') return 'token signature is invalid: signature is invalid';
    if (error.message === 'invalid algorithm') return 'token is unverifiable: signing method is not HS256';
    return `token is malformed: ${error.message}`;
  }
  return `token is malformed: ${(error as Error).message ?? String(error)}`;
}
