/** The sidebar, derived from the role (see roles.ts). */
import type { OrgRole } from './roles.ts';
import { canManage, canSeeAnalytics, isStaff } from './roles.ts';

export type NavIcon =
  | 'console'
  | 'history'
  | 'analytics'
  | 'snippets'
  | 'clients'
  | 'sites'
  | 'groups'
  | 'agents'
  | 'faqs'
  | 'settings';

export interface NavItem {
  href: string;
  label: string;
  icon: NavIcon;
}

export interface NavSection {
  title?: string;
  items: NavItem[];
}

export function navFor(role: OrgRole | undefined): NavSection[] {
  const work: NavItem[] = [];
  if (isStaff(role)) work.push({ href: '/console', label: 'Console', icon: 'console' });
  if (role) work.push({ href: '/history', label: 'History', icon: 'history' });
  if (canSeeAnalytics(role)) work.push({ href: '/analytics', label: 'Analytics', icon: 'analytics' });
  if (isStaff(role)) work.push({ href: '/snippets', label: 'Snippets', icon: 'snippets' });
  const sections: NavSection[] = [{ items: work }];
  if (canManage(role)) {
    sections.push({
      title: 'Manage',
      items: [
        { href: '/manage/clients', label: 'Clients', icon: 'clients' },
        { href: '/manage/sites', label: 'Sites', icon: 'sites' },
        { href: '/manage/groups', label: 'Groups', icon: 'groups' },
        { href: '/manage/agents', label: 'Team', icon: 'agents' },
        { href: '/manage/faqs', label: 'FAQs', icon: 'faqs' },
        { href: '/manage/settings', label: 'Organization', icon: 'settings' },
      ],
    });
  }
  return sections;
}
