/**
 * Which group's queue a new conversation joins: the pre-chat topic's group, else the first site
 * routing rule that matches (page URL contains / visitor language equals), else the site's default
 * group. Pure, so every branch is tested without a database.
 */

/** One entry of sites.routing_rules. Malformed entries are ignored, never fatal. */
export interface RoutingRule {
  match: 'url' | 'language';
  /** For `url`: a case-insensitive substring of the page URL. */
  contains?: string;
  /** For `language`: the primary language (`de` matches `de-AT`). */
  equals?: string;
  groupId: string;
}

export function parseRoutingRules(raw: unknown): RoutingRule[] {
  if (!Array.isArray(raw)) return [];
  const rules: RoutingRule[] = [];
  for (const r of raw) {
    if (typeof r !== 'object' || r === null) continue;
    const o = r as Record<string, unknown>;
    const groupId = o.group_id ?? o.groupId;
    if (typeof groupId !== 'string' || !/^[0-9a-f-]{36}$/i.test(groupId)) continue;
    if (o.match === 'url' && typeof o.contains === 'string' && o.contains !== '') {
      rules.push({ match: 'url', contains: o.contains, groupId });
    } else if (o.match === 'language' && typeof o.equals === 'string' && o.equals !== '') {
      rules.push({ match: 'language', equals: o.equals, groupId });
    }
  }
  return rules;
}

/** `de-AT` → `de`; lower case. */
export function primaryLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

export function chooseGroup(
  site: { topics: { label: string; groupId: string }[]; defaultGroupId: string | null },
  rules: RoutingRule[],
  input: { topic: string; url: string; language: string },
): { groupId: string | null; topic: string; reason: 'topic' | 'rule' | 'default' } {
  const topic = input.topic.trim();
  const match = topic ? site.topics.find((t) => t.label.toLowerCase() === topic.toLowerCase()) : undefined;
  if (match) return { groupId: match.groupId, topic: match.label, reason: 'topic' };
  const url = input.url.toLowerCase();
  const language = primaryLanguage(input.language);
  for (const rule of rules) {
    if (rule.match === 'url' && url && url.includes((rule.contains ?? '').toLowerCase())) {
      return { groupId: rule.groupId, topic, reason: 'rule' };
    }
    if (rule.match === 'language' && language && primaryLanguage(rule.equals ?? '') === language) {
      return { groupId: rule.groupId, topic, reason: 'rule' };
    }
  }
  return { groupId: site.defaultGroupId, topic, reason: 'default' };
}
