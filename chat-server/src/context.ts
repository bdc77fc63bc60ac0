/**
 * Everything a route or a realtime handler needs, built once in server.ts and passed down as one
 * object (handlers are factories over it; nothing reads module-level state).
 */
import type { AgentTokenVerifier } from './auth/agent-token.ts';
import type { VisitorTokens } from './auth/visitor-token.ts';
import type { Config } from './config.ts';
import type { Sql } from './db/sql.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { PubSub } from './pubsub/index.ts';

export interface AppContext {
  config: Config;
  log: Logger;
  sql: Sql;
  pubsub: PubSub;
  metrics: Metrics;
  visitorTokens: VisitorTokens;
  agentTokens: AgentTokenVerifier;
  /** A short random id for this instance, in logs and pub/sub echoes. */
  instanceId: string;
  /** True once shutdown has begun: refuse new work. */
  isShuttingDown(): boolean;
}
