import { PubSubError, type PubSubEvent } from './types.ts';

/**
 * JSON-encodes an event, refusing anything that would not survive the trip between nodes.
 * The in-process implementation encodes too, so a single-instance test catches what would only
 * break once Redis is switched on.
 */
export function encodeEvent(event: unknown): string {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new PubSubError('invalid_event', 'a pub/sub event must be a plain JSON object');
  }
  try {
    return JSON.stringify(event);
  } catch (cause) {
    // BigInt values and circular references land here.
    throw new PubSubError('invalid_event', `a pub/sub event must be JSON-serialisable: ${String(cause)}`, {
      cause,
    });
  }
}

export function decodeEvent(json: string): PubSubEvent {
  const value: unknown = JSON.parse(json);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('pub/sub payload is not a JSON object');
  }
  return value as PubSubEvent;
}

/**
 * Wire format between nodes: `<nodeId> <json>`. The node id comes first so a node can recognise its
 * own echo with a prefix check, without parsing the JSON it has already delivered locally.
 */
export function wrap(nodeId: string, json: string): string {
  return `${nodeId} ${json}`;
}

export function unwrap(message: string): { nodeId: string; json: string } {
  const space = message.indexOf(' ');
  if (space <= 0) throw new TypeError('pub/sub message has no node id');
  return { nodeId: message.slice(0, space), json: message.slice(space + 1) };
}
