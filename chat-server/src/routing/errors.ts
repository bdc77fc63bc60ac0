/** Postgres errors routing expects and handles: a lost race, a full agent, a deadlock to retry. */

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** The capacity trigger refused: the agent would go over their chat limit. */
export function isCapacityError(error: unknown): boolean {
  return field(error, 'code') === '23514' && field(error, 'constraint_name') === 'agent_capacity';
}

/** Another instance created the one pending offer first (conversation_offers_one_pending_idx). */
export function isOfferTaken(error: unknown): boolean {
  return (
    field(error, 'code') === '23505' &&
    field(error, 'constraint_name') === 'conversation_offers_one_pending_idx'
  );
}

/** Deadlock or serialization failure: safe to run the transaction again. */
export function isRetryable(error: unknown): boolean {
  const code = field(error, 'code');
  return code === '40P01' || code === '40001';
}
