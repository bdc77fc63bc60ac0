import { guardRole } from '$lib/guards.ts';
import { canManage } from '$lib/roles.ts';

// Agents and client viewers get a 404 here; RLS would refuse their writes anyway.
export const load = guardRole(canManage);
