/** Topic → group routing. The widget only ever sees topic labels; group ids stay on the server. */
import type { Site } from './types.ts';

/**
 * The group a conversation on this site goes to: the group of the topic with this label, else the
 * site's default group. Returns `unknownTopic: true` when a label was given that the site does not
 * offer (the caller decides whether to refuse it or to fall back).
 */
export function groupForTopic(
  site: Site,
  topic: string | undefined,
): { groupId: string | null; unknownTopic: boolean } {
  const label = topic?.trim();
  if (!label) return { groupId: site.defaultGroupId, unknownTopic: false };
  const match = site.topics.find((t) => t.label === label);
  if (match) return { groupId: match.groupId, unknownTopic: false };
  return { groupId: site.defaultGroupId, unknownTopic: true };
}
