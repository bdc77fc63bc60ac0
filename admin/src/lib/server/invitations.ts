/**
 * Inviting a colleague: the one thing the admin app cannot do from the browser, because creating an
 * Auth user needs the service key. Order matters:
 *  1. ask the database, as the caller, whether they are an owner or admin of the organization;
 *  2. only then use the service key, and only for the Auth admin API (invite mail + user);
 *  3. write the membership as the caller again, so RLS (org_members_insert) has the last word on
 *     which roles they may grant (only owners make owners).
 */
import type { OrgRole } from '$lib/roles.ts';
import { clientAsCaller, serviceClient } from './clients.ts';
import type { ServerConfig } from './config.ts';

export interface InviteInput {
  orgId: string;
  email: string;
  displayName: string;
  role: OrgRole;
  clientId: string | null;
  redirectTo: string;
}

export type InviteResult =
  | { ok: true; userId: string }
  | { ok: false; status: 400 | 403 | 409 | 500; message: string };

const ROLES: readonly OrgRole[] = ['owner', 'admin', 'manager', 'agent', 'client_viewer'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks the form fields; every problem is a message for the person filling it in. */
export function parseInvite(form: FormData, redirectTo: string): InviteInput | string {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const email = text('email').toLowerCase();
  const role = text('role') as OrgRole;
  const clientId = text('client_id') || null;
  if (!text('org_id')) return 'No organization was chosen.';
  if (!EMAIL.test(email)) return 'Enter a valid email address.';
  if (!ROLES.includes(role)) return 'Choose a role.';
  if (role === 'client_viewer' && !clientId) return 'A client viewer needs the client they may review.';
  return {
    orgId: text('org_id'),
    email,
    displayName: text('display_name').slice(0, 200),
    role,
    clientId: role === 'client_viewer' ? clientId : null,
    redirectTo,
  };
}

export async function inviteMember(
  config: ServerConfig,
  accessToken: string,
  input: InviteInput,
): Promise<InviteResult> {
  const caller = clientAsCaller(config, accessToken);
  const { data: userData, error: userError } = await caller.auth.getUser(accessToken);
  if (userError || !userData.user)
    return { ok: false, status: 403, message: 'Your session has expired. Sign in again.' };

  const { data: membership, error: roleError } = await caller
    .from('org_members')
    .select('role')
    .eq('org_id', input.orgId)
    .eq('user_id', userData.user.id)
    .eq('active', true)
    .maybeSingle();
  if (roleError) return { ok: false, status: 500, message: roleError.message };
  if (!membership || !['owner', 'admin'].includes(membership.role)) {
    return { ok: false, status: 403, message: 'Only owners and admins may invite people.' };
  }
  if (input.role === 'owner' && membership.role !== 'owner') {
    return { ok: false, status: 403, message: 'Only an owner may invite another owner.' };
  }

  const { data: invited, error: inviteError } = await serviceClient(config).auth.admin.inviteUserByEmail(
    input.email,
    {
      redirectTo: input.redirectTo,
      data: { full_name: input.displayName },
    },
  );
  if (inviteError || !invited.user) {
    const taken = inviteError?.code === 'email_exists';
    return {
      ok: false,
      status: taken ? 409 : 500,
      message: taken
        ? `${input.email} already has an account; adding existing users is not supported yet.`
        : (inviteError?.message ?? 'The invitation failed.'),
    };
  }

  const { error: memberError } = await caller.from('org_members').insert({
    org_id: input.orgId,
    user_id: invited.user.id,
    role: input.role,
    client_id: input.clientId,
    display_name: input.displayName,
    email: input.email,
  });
  if (memberError) {
    const duplicate = memberError.code === '23505';
    return {
      ok: false,
      status: duplicate ? 409 : 403,
      message: duplicate ? `${input.email} is already a member.` : memberError.message,
    };
  }
  return { ok: true, userId: invited.user.id };
}
