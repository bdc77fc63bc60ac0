/** GET /settings (what the instance allows, GoTrue's shape) and GET /health. */
import { writeJson } from '../respond.ts';
import type { Handler, Route } from './types.ts';

/** Every external provider GoTrue reports; locally only email is on, as in the Supabase CLI. */
const PROVIDERS = [
  'anonymous_users',
  'apple',
  'azure',
  'bitbucket',
  'discord',
  'facebook',
  'snapchat',
  'figma',
  'fly',
  'github',
  'gitlab',
  'google',
  'keycloak',
  'kakao',
  'linkedin',
  'linkedin_oidc',
  'notion',
  'spotify',
  'slack',
  'slack_oidc',
  'workos',
  'twitch',
  'twitter',
  'email',
  'phone',
  'zoom',
] as const;

const settings: Handler = async (_req, res) => {
  writeJson(res, 200, {
    external: Object.fromEntries(PROVIDERS.map((provider) => [provider, provider === 'email'])),
    disable_signup: false,
    mailer_autoconfirm: true,
    phone_autoconfirm: false,
    sms_provider: 'twilio',
    saml_enabled: false,
    saml_private_key_next_configured: false,
    passkeys_enabled: false,
  });
};

const health: Handler = async (_req, res) => {
  writeJson(res, 200, {
    version: 'local-standin',
    name: 'GoTrue',
    description: 'GoTrue is a user registration and authentication API',
  });
};

export const settingsRoutes: Route[] = [
  { method: 'GET', path: '/settings', handler: settings },
  { method: 'GET', path: '/health', handler: health },
];
