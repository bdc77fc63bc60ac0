import { DEMO_PASSWORD } from './defaults.ts';

/** A login created by seed.sql; every demo user's password is DEMO_PASSWORD. */
export interface DemoUser {
  email: string;
  /** What this login is for, in a few words (printed by `npm start`, listed in the README). */
  role: string;
}

/** The demo logins seed.sql creates, in the order they are printed. */
export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'owner@northwind.test', role: 'Northwind Support: owner' },
  { email: 'admin@northwind.test', role: 'Northwind Support: admin' },
  { email: 'manager@northwind.test', role: 'Northwind Support: manager' },
  { email: 'agent1@northwind.test', role: 'Northwind Support: agent' },
  { email: 'agent2@northwind.test', role: 'Northwind Support: agent' },
  { email: 'agent3@northwind.test', role: 'Northwind Support: agent' },
  { email: 'viewer@acme.test', role: 'Northwind Support: client viewer of Acme Travel' },
  { email: 'owner@contoso.test', role: 'Contoso Care: owner' },
  { email: 'agent@contoso.test', role: 'Contoso Care: agent' },
  { email: 'lead@contoso.test', role: 'Contoso Care: manager, and Northwind Support: agent (org switcher)' },
];

export { DEMO_PASSWORD };
