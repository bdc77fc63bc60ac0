/**
 * Visitor tokens: signed by this server after the Origin check in POST /v1/widget/session. They
 * name the visitor, site, client and organization, so a visitor connection never trusts ids the
 * browser sends. Kept in the widget's localStorage; a visitor returning within the TTL resumes.
 */
import jwt from 'jsonwebtoken';
import { toTokenError } from './agent-token.ts';
import { TokenError } from './errors.ts';

const AUDIENCE = 'chat-visitor';
const ISSUER = 'chat-server';

export interface VisitorClaims {
  /** visitors.id */
  sub: string;
  org: string;
  client: string;
  site: string;
  exp: number;
}

export interface VisitorTokens {
  sign(claims: Omit<VisitorClaims, 'exp'>): { token: string; expiresAt: Date };
  verify(token: string): VisitorClaims;
}

export function createVisitorTokens(secret: string, ttlSeconds: number): VisitorTokens {
  return {
    sign({ sub, org, client, site }) {
      const token = jwt.sign({ org, client, site }, secret, {
        algorithm: 'HS256',
        subject: sub,
        audience: AUDIENCE,
        issuer: ISSUER,
        expiresIn: ttlSeconds,
      });
      return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
    },
    verify(token) {
      try {
        const c = jwt.verify(token, secret, { algorithms: ['HS256'], audience: AUDIENCE, issuer: ISSUER });
        if (
          typeof c !== 'object' ||
          typeof c.sub !== 'string' ||
          typeof c.org !== 'string' ||
          typeof c.client !== 'string' ||
          typeof c.site !== 'string' ||
          typeof c.exp !== 'number'
        ) {
          throw new TokenError('invalid', 'The visitor token is missing claims');
        }
        return { sub: c.sub, org: c.org, client: c.client, site: c.site, exp: c.exp };
      } catch (error) {
        throw toTokenError(error);
      }
    },
  };
}
