import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_FRAME_TYPES, SERVER_FRAME_TYPES } from './frame-types.ts';
import { parseClientFrame } from './parse-client.ts';
import { parseServerFrame } from './parse-server.ts';

// chat-server/PROTOCOL.md marks each example as ```json client or ```json server.
const doc = readFileSync(new URL('../../../chat-server/PROTOCOL.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```json (client|server)\n([\s\S]*?)\n```/g)].map((m) => ({
  direction: m[1] as 'client' | 'server',
  json: m[2] as string,
}));

describe('chat-server/PROTOCOL.md', () => {
  it('has examples that all pass validation', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const { direction, json } of blocks) {
      const result = direction === 'client' ? parseClientFrame(json) : parseServerFrame(json);
      expect(result, json).toMatchObject({ ok: true });
    }
  });

  it('shows an example of every frame type in both directions', () => {
    const typesOf = (direction: string) =>
      new Set(
        blocks
          .filter((b) => b.direction === direction)
          .map((b) => (JSON.parse(b.json) as { type: string }).type),
      );
    expect([...typesOf('client')].sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
    expect([...typesOf('server')].sort()).toEqual([...SERVER_FRAME_TYPES].sort());
  });
});
