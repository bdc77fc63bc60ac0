/** Site settings and agent presence for the tests, so availability does not depend on the clock. */
import type postgres from 'postgres';
import type { Agent } from './agent.ts';

export const SITE_KEY = 'acme_travel_demo';

/** Always open (`{}` business hours), so availability only depends on agents being online. */
export async function alwaysOpen(sql: postgres.Sql): Promise<void> {
  await sql`update public.sites set business_hours = '{}'::jsonb where site_key = ${SITE_KEY}`;
}

/** Sets the agent's presence and waits until the public config reflects it. */
export async function setPresence(
  agent: Agent,
  serverUrl: string,
  status: 'online' | 'offline',
): Promise<void> {
  agent.send({ type: 'presence.set', status });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${serverUrl}/v1/widget/config?site=${SITE_KEY}`);
    const config = (await res.json()) as { agentsOnline: boolean };
    if (config.agentsOnline === (status === 'online')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`agent presence did not become ${status}`);
}
