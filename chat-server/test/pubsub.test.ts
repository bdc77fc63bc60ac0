import { describe, expect, it } from 'vitest';
import { createChannels, createMemoryPubSub, createPubSub } from '../src/pubsub/index.ts';
import { describePubSubContract } from './pubsub.contract.ts';

describePubSubContract('in-process', {
  // In-process there is one "node": every caller shares the same instance.
  async createNodes(count, deps) {
    const pubsub = createMemoryPubSub({}, deps);
    return Array.from({ length: count }, () => pubsub);
  },
});

describe('createChannels', () => {
  it('builds every name under the prefix, chat: by default', () => {
    const channels = createChannels();
    expect(channels.conversation('o1', 'c1')).toBe('chat:org:o1:conv:c1');
    expect(channels.org('o1')).toBe('chat:org:o1');
    expect(channels.agent('u1')).toBe('chat:agent:u1');
    expect(createChannels('test42:').org('o1')).toBe('test42:org:o1');
  });

  it('refuses ids that could make two different ids collide', () => {
    const channels = createChannels();
    expect(() => channels.conversation('o1', 'c1:conv:c2')).toThrow(TypeError);
    expect(() => channels.agent('u 1')).toThrow(/userId/);
    expect(() => channels.org(undefined as unknown as string)).toThrow(/orgId/);
    expect(() => createChannels('')).toThrow(/prefix/);
  });

  it('recognises only names under its own prefix', () => {
    const channels = createChannels('a:');
    expect(channels.owns(channels.org('x'))).toBe(true);
    expect(channels.owns(createChannels('b:').org('x'))).toBe(false);
    expect(channels.owns('a:')).toBe(false);
  });
});

describe('createPubSub', () => {
  it('is in-process when no Redis URL is configured', async () => {
    const pubsub = await createPubSub({ prefix: 'solo:' });
    const got: unknown[] = [];
    await pubsub.subscribe(pubsub.channels.org('o1'), (event) => {
      got.push(event);
    });
    await pubsub.publish(pubsub.channels.org('o1'), { n: 1 });
    // In-process delivery is done by the time publish resolves.
    expect(got).toEqual([{ n: 1 }]);
    expect(pubsub.channels.prefix).toBe('solo:');
    await pubsub.close();
  });
});
