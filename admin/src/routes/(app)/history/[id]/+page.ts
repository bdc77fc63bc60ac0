import { error } from '@sveltejs/kit';
import { agentNames } from '$lib/data/agents-directory.ts';
import { getConversation, getTranscript } from '$lib/data/history.ts';
import { currentOrgId } from '$lib/guards.ts';
import { isStaff } from '$lib/roles.ts';
import { session } from '$lib/state/session.svelte.ts';

export async function load({ params }) {
  const orgId = await currentOrgId();
  const conversation = await getConversation(params.id);
  if (!conversation) error(404, 'Conversation not found');
  const [transcript, agents] = await Promise.all([
    getTranscript(params.id),
    isStaff(session.role) ? agentNames(orgId) : Promise.resolve(new Map<string, string>()),
  ]);
  return { conversation, ...transcript, agents };
}
