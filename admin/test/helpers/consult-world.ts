/**
 * Rows of a test's own for a consult across groups, so the seeded agents and sites stay as other
 * files expect them: group A with its own site (the widget's "Payments and refunds" topic routes
 * there), X an agent of group A and nothing else, Y an agent of the same firm in no group at all.
 * Only X is in group A, so routing offers the site's chats to X alone.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { DEMO_PASSWORD } from './browser.ts';
import { ACME, NORTHWIND } from './supabase.ts';

export interface Agent {
  id: string;
  email: string;
  password: string;
  name: string;
}

export interface ConsultWorld {
  groupId: string;
  groupName: string;
  siteId: string;
  siteKey: string;
  x: Agent;
  y: Agent;
  /** Deletes the site's conversations, the site, the group and both users. */
  drop(): Promise<void>;
}

const must = <T>(result: { data: T; error: unknown }): T => {
  if (result.error) throw result.error;
  return result.data;
};

/**
 * A cleanup delete, run again when Postgres picks it as a deadlock's victim: the admin's chat
 * server may still be routing or sweeping these rows (agents leaving, offers expiring) while the
 * delete's cascade locks them in another order.
 */
async function deleteRetrying(run: () => PromiseLike<{ error: unknown }>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { error } = await run();
    if (!error) return;
    const code = (error as { code?: string }).code;
    if ((code !== '40P01' && code !== '40001') || attempt >= 5) throw error;
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}

async function createAgent(service: SupabaseClient, email: string, name: string): Promise<Agent> {
  // The demo password, so the shared sign-in helpers (openConsole, signIn) work as they are.
  const password = DEMO_PASSWORD;
  const { data, error } = await service.auth.admin.createUser({
    email,
    password,
    email_confirm: true,
    user_metadata: { full_name: name },
  });
  if (error) throw error;
  const id = data.user.id;
  must(
    await service
      .from('org_members')
      .insert({ org_id: NORTHWIND, user_id: id, role: 'agent', display_name: name, email, max_chats: 4 }),
  );
  return { id, email, password, name };
}

export async function createConsultWorld(service: SupabaseClient): Promise<ConsultWorld> {
  const stamp = Date.now();
  const groupName = `Consult lab ${stamp}`;
  const group = must(
    await service
      .from('groups')
      .insert({ org_id: NORTHWIND, name: groupName, description: 'Group A of the consult test' })
      .select('id')
      .single(),
  ) as { id: string };
  const siteKey = `consult_lab_${stamp}`;
  const site = must(
    await service
      .from('sites')
      .insert({
        org_id: NORTHWIND,
        client_id: ACME,
        name: `consult-lab-${stamp}.test`,
        site_key: siteKey,
        allowed_domains: ['localhost'],
        // No business hours: open whenever an agent of group A is online.
        business_hours: {},
        topics: [{ label: 'Payments and refunds', group_id: group.id }],
        default_group_id: group.id,
      })
      .select('id')
      .single(),
  ) as { id: string };
  const x = await createAgent(service, `consult-x-${stamp}@northwind.test`, 'Xenia Asker');
  const y = await createAgent(service, `consult-y-${stamp}@northwind.test`, 'Yusuf Outsider');
  must(
    await service
      .from('group_members')
      .insert({ org_id: NORTHWIND, group_id: group.id, user_id: x.id, max_chats: 3 }),
  );

  return {
    groupId: group.id,
    groupName,
    siteId: site.id,
    siteKey,
    x,
    y,
    async drop() {
      await deleteRetrying(() => service.from('conversations').delete().eq('site_id', site.id));
      await deleteRetrying(() => service.from('sites').delete().eq('id', site.id));
      await deleteRetrying(() => service.from('groups').delete().eq('id', group.id));
      for (const agent of [x, y]) {
        await deleteRetrying(() => service.from('agent_status').delete().eq('user_id', agent.id));
        await deleteRetrying(() => service.from('org_members').delete().eq('user_id', agent.id));
        const { error } = await service.auth.admin.deleteUser(agent.id);
        if (error) throw error;
      }
    },
  };
}
