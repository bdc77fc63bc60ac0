import { checkSpec, type TableSpec } from '../spec.ts';
import { TENANT_RELATIONS } from '../world.ts';
import { clients, group_members, groups, sites } from './clients.ts';
import {
  attachments,
  calls,
  conversation_participants,
  conversations,
  messages,
  visitors,
} from './conversations.ts';
import { agent_status, faqs, snippets } from './knowledge.ts';
import { conversation_metrics, conversation_offers, outbound_emails } from './routing.ts';
import { org_members, organizations } from './tenancy.ts';

/**
 * The whole permission matrix of supabase/README.md, one spec per tenant table and view, in README
 * order. rls-coverage.test.ts checks that every table and view in schema public has a spec here.
 */
export const MATRIX: readonly TableSpec[] = [
  organizations,
  org_members,
  clients,
  sites,
  groups,
  group_members,
  visitors,
  conversations,
  conversation_participants,
  messages,
  attachments,
  calls,
  faqs,
  snippets,
  agent_status,
  conversation_offers,
  outbound_emails,
  conversation_metrics,
];

// Every tenant table and view is covered exactly once, and no spec names a probe that does not exist.
const covered = MATRIX.map((spec) => spec.table);
if (covered.join() !== TENANT_RELATIONS.join()) throw new Error(`The RLS matrix covers ${covered.join()}`);
for (const spec of MATRIX) checkSpec(spec);
