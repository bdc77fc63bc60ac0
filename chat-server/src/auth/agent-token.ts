/**
 * Verifies the Supabase access tokens agents connect with. Behind an interface so a JWKS verifier
 * (Supabase's asymmetric signing keys) can replace the HS256 shared secret without touching callers.
 */
import jwt from 'jsonwebtoken';
import { TokenError } from './errors.ts';

/** The claims the chat server relies on; Supabase issues more. */
export interface AgentClaims {
  sub: string;
  role: string;
  email?: string;
  exp: number;
  session_id?: string;
  [claim: string]: unknown;
}

export interface AgentTokenVerifier {
  /** Resolves the verified claims, or rejects with TokenError. */
  verify(token: string): Promise<AgentClaims>;
}

/** HS256 with the project's JWT secret, audience `authenticated`, expiry enforced. */
export function createHs256AgentVerifier(secret: string): AgentTokenVerifier {
  return {
    async verify(token) {
      try {
        const claims = jwt.verify(token, secret, { algorithms: ['HS256'], audience: 'authenticated' });
        if (typeof claims !== 'object' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') {
          throw new TokenError('invalid', 'The access token has no subject or expiry');
        }
        if (claims.role !== 'authenticated') throw new TokenError('invalid', 'Not a signed-in user token');
        return claims as AgentClaims;
      } catch (error) {
        throw toTokenError(error);
      }
    },
  };
}

export function toTokenError(error: unknown): TokenError {
  if (error instanceof TokenError) return error;
  if (error instanceof jwt.TokenExpiredError) return new TokenError('expired', 'The token has expired');
  if (error instanceof jwt.JsonWebTokenError && /audience/.test(error.message)) {
    return new TokenError('wrong_audience', 'The token is not meant for this server');
  }
  return new TokenError('invalid', 'The token is invalid');
}
