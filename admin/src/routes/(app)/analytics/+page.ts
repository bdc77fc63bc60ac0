import * as analytics from '$lib/analytics/queries.ts';
import { rangeBounds, rangeFromUrl } from '$lib/analytics/range.ts';
import { listClients } from '$lib/data/clients.ts';
import { topFaqs } from '$lib/data/faqs.ts';
import { currentOrgId, guardRole } from '$lib/guards.ts';
import { canSeeAnalytics, isStaff } from '$lib/roles.ts';
import { session } from '$lib/state/session.svelte.ts';

export async function load({ url }) {
  await guardRole(canSeeAnalytics)();
  const orgId = await currentOrgId();
  const filters = rangeFromUrl(url.searchParams);
  const range = {
    orgId,
    ...rangeBounds(filters),
    clientId: filters.clientId || null,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
  const staff = isStaff(session.role);
  const [report, clients, faqs] = await Promise.all([
    analytics.report(range, staff),
    listClients(orgId),
    // FAQs are staff knowledge: a client_viewer may not read them (RLS), so do not ask.
    staff ? topFaqs(orgId) : Promise.resolve([]),
  ]);
  return { filters, clients, faqs, staff, ...report };
}
