import { fail } from '@sveltejs/kit';
import { serverConfig } from '$lib/server/config.ts';
import { inviteMember, parseInvite } from '$lib/server/invitations.ts';

export const actions = {
  /** The browser session lives in localStorage, so the form carries the caller's access token. */
  invite: async ({ request, url }) => {
    const form = await request.formData();
    const token = form.get('access_token');
    if (typeof token !== 'string' || !token) return fail(401, { message: 'Sign in again to invite people.' });
    const input = parseInvite(form, `${url.origin}/auth/callback`);
    if (typeof input === 'string') return fail(400, { message: input });
    const result = await inviteMember(serverConfig(), token, input);
    if (!result.ok) return fail(result.status, { message: result.message });
    return { invited: input.email };
  },
};
