/**
 * Every channel name is built here, so the naming scheme and the prefix live in one place.
 * The prefix lets several deployments (or test runs) share one Redis without hearing each other.
 */
export const DEFAULT_CHANNEL_PREFIX = 'chat:';

export interface Channels {
  readonly prefix: string;
  /** Messages and ephemeral events of one conversation. */
  conversation(orgId: string, conversationId: string): string;
  /** Organization-wide events: new conversations in the queue, agent presence. */
  org(orgId: string): string;
  /** Events for one agent wherever they are connected: assignments, forced sign-out. */
  agent(userId: string): string;
  /** True when `name` was built by these helpers (publish/subscribe refuse anything else). */
  owns(name: string): boolean;
}

// Ids are uuids today; refuse separators and whitespace so two different ids can never build the same name.
const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

function segment(label: string, value: unknown): string {
  if (typeof value !== 'string' || !SEGMENT.test(value)) {
    throw new TypeError(
      `${label} must be 1-128 characters of letters, digits, '-' or '_'; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function createChannels(prefix: string = DEFAULT_CHANNEL_PREFIX): Channels {
  if (typeof prefix !== 'string' || prefix.length === 0 || /\s/.test(prefix)) {
    throw new TypeError(
      `pub/sub channel prefix must be a non-empty string without spaces; got ${JSON.stringify(prefix)}`,
    );
  }
  return {
    prefix,
    conversation: (orgId, conversationId) =>
      `${prefix}org:${segment('orgId', orgId)}:conv:${segment('conversationId', conversationId)}`,
    org: (orgId) => `${prefix}org:${segment('orgId', orgId)}`,
    agent: (userId) => `${prefix}agent:${segment('userId', userId)}`,
    owns: (name) => typeof name === 'string' && name.length > prefix.length && name.startsWith(prefix),
  };
}
