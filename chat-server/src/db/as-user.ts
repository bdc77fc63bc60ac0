/**
 * Runs queries as a signed-in user, under RLS. Where the chat server acts for an agent (may they
 * open this conversation?), it asks Postgres with that agent's own claims, so the server can never
 * see more than the admin app would show the same agent.
 */
import type { Sql, Tx } from './sql.ts';

export interface UserClaims {
  sub: string;
  role: string;
  [claim: string]: unknown;
}

export function asUser<T>(sql: Sql, claims: UserClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    // Both settings are local to this transaction and vanish at commit.
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return fn(tx);
  }) as Promise<T>;
}
