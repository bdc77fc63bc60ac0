import { requireMember } from '$lib/guards.ts';

export async function load({ url }) {
  await requireMember(url);
}
