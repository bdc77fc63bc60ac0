import { describe, expect, it } from 'vitest';
import { ErrorCode } from './codes.ts';
import { decodeServerFrame } from './decode-server.ts';
import { SERVER_FRAME_TYPES } from './frame-types.ts';
import { parseServerFrame } from './parse-server.ts';
import { SERVER_FRAME_SCHEMAS } from './server-frames.ts';
import { agentWelcome, exampleMessage, serverExamples } from './testing/examples.ts';
import { withField, wrongTypeFor } from './testing/mutate.ts';

const examples = [...Object.values(serverExamples), agentWelcome];

function refused(raw: unknown) {
  const result = parseServerFrame(JSON.stringify(raw));
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw).slice(0, 200)} to be refused`);
  return result;
}

describe('server frame table', () => {
  it('has a schema and an example for exactly the listed types', () => {
    expect(Object.keys(SERVER_FRAME_SCHEMAS).sort()).toEqual([...SERVER_FRAME_TYPES].sort());
    expect(Object.keys(serverExamples).sort()).toEqual([...SERVER_FRAME_TYPES].sort());
  });
});

describe('parseServerFrame', () => {
  it.each(examples.map((f) => [f.type, f] as const))('round-trips a %s frame', (_type, frame) => {
    expect(parseServerFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });

  it.each(examples.map((f) => [f.type, f] as const))('rejects an unknown field on %s', (_type, frame) => {
    expect(refused(withField(frame, 'extra', 1))).toMatchObject({
      code: ErrorCode.INVALID_FRAME,
      message: expect.stringContaining('unknown field "extra"'),
    });
  });

  it.each(examples.map((f) => [f.type, f] as const))(
    'rejects each wrongly typed field of %s, naming it',
    (_type, frame) => {
      for (const [key, value] of Object.entries(frame)) {
        if (key === 'type') continue;
        const result = refused(withField(frame, key, wrongTypeFor(value)));
        expect(result.message, key).toContain(`field "${key}`);
      }
    },
  );

  it('rejects unknown fields deep inside a message', () => {
    const message = { ...exampleMessage, attachments: [{ ...exampleMessage.attachments[0], path: '/etc' }] };
    expect(refused({ type: 'message', message }).message).toContain(
      'unknown field "message.attachments[0].path"',
    );
  });

  it('keeps the sender kind to the database enum', () => {
    const message = { ...exampleMessage, senderKind: 'bot' };
    expect(refused({ type: 'message', message }).message).toContain('field "message.senderKind"');
  });

  it('accepts only the closed set of error codes', () => {
    expect(refused({ ...serverExamples.error, code: 'oops' }).message).toContain('field "code"');
  });

  it('accepts a system message with no sender id, and timestamps with an offset', () => {
    const message = {
      ...exampleMessage,
      senderKind: 'system',
      senderId: null,
      createdAt: '2026-11-21T10:30:00+01:00',
    };
    expect(parseServerFrame(JSON.stringify({ type: 'message', message })).ok).toBe(true);
  });

  it('refuses a timestamp that is not ISO 8601', () => {
    expect(refused({ ...serverExamples.pong, serverTime: 'Sat Nov 21 2026' }).message).toContain(
      'field "serverTime": not a valid ISO 8601 timestamp',
    );
  });
});

describe('decodeServerFrame', () => {
  it('passes every known frame type through unchanged', () => {
    for (const frame of examples)
      expect(decodeServerFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });

  it('refuses bad JSON, non-objects and unknown types without throwing', () => {
    expect(decodeServerFrame('{')).toMatchObject({ ok: false, code: ErrorCode.BAD_JSON });
    expect(decodeServerFrame('null')).toMatchObject({ ok: false, code: ErrorCode.UNKNOWN_TYPE });
    expect(decodeServerFrame('{"type":"toString"}')).toMatchObject({
      ok: false,
      code: ErrorCode.UNKNOWN_TYPE,
    });
    expect(decodeServerFrame('{"type":"message.send"}')).toMatchObject({
      ok: false,
      code: ErrorCode.UNKNOWN_TYPE,
    });
  });
});
