import { listClients } from '$lib/data/clients.ts';
import { listFaqs } from '$lib/data/faqs.ts';
import { currentOrgId } from '$lib/guards.ts';

export async function load() {
  const orgId = await currentOrgId();
  const [faqs, clients] = await Promise.all([listFaqs(orgId), listClients(orgId)]);
  return { orgId, faqs, clients };
}
