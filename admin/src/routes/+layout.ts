// The app renders in the browser: data comes straight from Supabase under the user's JWT, so the
// server only serves the shell (and the invitation action, which needs the service key).
export const ssr = false;
