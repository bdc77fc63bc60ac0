/**
 * The Postgres connection pool (postgres.js). Every connection switches to the chat server's own
 * role at start-up (`-c role=…`), so whatever login the deployment uses, queries run with exactly
 * the grants and policies of the chat_server_role migration.
 */
import postgres from 'postgres';

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export function createSql(options: { url: string; role: string; max: number }): Sql {
  return postgres(options.url, {
    max: options.max,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    // `options` is a standard startup parameter; postgres.js passes it through untyped.
    connection: { application_name: 'chat-server', options: `-c role=${options.role}` } as Record<
      string,
      string
    >,
  });
}
