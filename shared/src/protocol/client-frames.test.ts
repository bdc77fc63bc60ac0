import { describe, expect, it } from 'vitest';
import { CLIENT_FRAME_SCHEMAS, CLIENT_FRAME_SENDERS } from './client-frames.ts';
import { ErrorCode } from './codes.ts';
import { CLIENT_FRAME_TYPES } from './frame-types.ts';
import { MAX_BODY_LENGTH, MAX_FRAME_BYTES } from './limits.ts';
import { parseClientFrame } from './parse-client.ts';
import { CONVERSATION_ID, clientExamples } from './testing/examples.ts';
import { withField, wrongTypeFor } from './testing/mutate.ts';

const examples = Object.values(clientExamples);
const send = clientExamples['message.send'];

function refused(raw: unknown) {
  const result = parseClientFrame(JSON.stringify(raw));
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw).slice(0, 200)} to be refused`);
  return result;
}

describe('client frame table', () => {
  it('has a schema, an example and a sender rule for exactly the listed types', () => {
    expect(Object.keys(CLIENT_FRAME_SCHEMAS).sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
    expect(Object.keys(clientExamples).sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
    expect(Object.keys(CLIENT_FRAME_SENDERS).sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
  });

  it('keeps visitor-only and agent-only frames apart', () => {
    expect(CLIENT_FRAME_SENDERS['conversation.start']).toEqual(['visitor']);
    expect(CLIENT_FRAME_SENDERS['presence.set']).toEqual(['agent']);
    expect(CLIENT_FRAME_SENDERS['conversation.transfer']).toEqual(['agent']);
  });
});

describe('parseClientFrame', () => {
  it.each(examples.map((f) => [f.type, f] as const))('round-trips a %s frame', (_type, frame) => {
    expect(parseClientFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });

  it.each(examples.map((f) => [f.type, f] as const))(
    'rejects an unknown field on %s, naming it',
    (_type, frame) => {
      const result = refused(withField(frame, 'isAdmin', true));
      expect(result.code).toBe(ErrorCode.INVALID_FRAME);
      expect(result.message).toContain('unknown field "isAdmin"');
    },
  );

  it.each(examples.map((f) => [f.type, f] as const))(
    'rejects each wrongly typed field of %s, naming it',
    (_type, frame) => {
      for (const [key, value] of Object.entries(frame)) {
        if (key === 'type') continue;
        const result = refused(withField(frame, key, wrongTypeFor(value)));
        expect(result.code, key).toBe(ErrorCode.INVALID_FRAME);
        expect(result.message, key).toContain(`field "${key}`);
      }
    },
  );

  it('says what it expected and what it received', () => {
    const result = refused(withField(send, 'body', 42));
    expect(result.message).toBe(
      'invalid "message.send" frame: field "body": expected string, received number',
    );
  });

  it('names a missing required field', () => {
    const { conversationId: _dropped, ...rest } = send;
    expect(refused(rest).message).toContain('field "conversationId" is required');
  });

  it('names nested fields with their path', () => {
    const transfer = clientExamples['conversation.transfer'];
    expect(refused(withField(transfer, 'to', { kind: 'agent', userId: 'nope' })).message).toContain(
      'field "to.userId": not a valid id',
    );
    expect(refused(withField(transfer, 'to', { kind: 'robot' })).message).toContain(
      'field "to.kind": expected "agent" or "group"',
    );
    expect(
      refused(withField(transfer, 'to', { kind: 'group', groupId: CONVERSATION_ID, x: 1 })).message,
    ).toContain('unknown field "to.x"');
    expect(refused(withField(send, 'attachmentIds', [CONVERSATION_ID, 'bad'])).message).toContain(
      'field "attachmentIds[1]"',
    );
  });

  it('accepts a body of exactly MAX_BODY_LENGTH and rejects one character more', () => {
    expect(parseClientFrame(JSON.stringify(withField(send, 'body', 'x'.repeat(MAX_BODY_LENGTH)))).ok).toBe(
      true,
    );
    const result = refused(withField(send, 'body', 'x'.repeat(MAX_BODY_LENGTH + 1)));
    expect(result.code).toBe(ErrorCode.INVALID_FRAME);
    expect(result.message).toContain(`field "body": at most ${MAX_BODY_LENGTH} characters`);
  });

  it('still reads a maximal body that JSON escaping makes six bytes per character', () => {
    const raw = JSON.stringify(withField(send, 'body', '\u0001'.repeat(MAX_BODY_LENGTH)));
    expect(raw.length).toBeGreaterThan(MAX_BODY_LENGTH * 6);
    expect(parseClientFrame(raw).ok).toBe(true);
  });

  it('refuses a frame over MAX_FRAME_BYTES before parsing it', () => {
    const raw = JSON.stringify(withField(send, 'body', 'é'.repeat(MAX_FRAME_BYTES / 2)));
    const result = parseClientFrame(raw);
    expect(result).toMatchObject({ ok: false, code: ErrorCode.FRAME_TOO_LARGE });
  });

  it('refuses a message with neither text nor attachments, and allows an attachment alone', () => {
    const blank = withField(withField(send, 'body', '  \n'), 'attachmentIds', []);
    expect(refused(blank).message).toContain('non-blank body or at least one attachment');
    expect(parseClientFrame(JSON.stringify(withField(send, 'body', ''))).ok).toBe(true);
  });

  it('keeps ratings whole numbers from 1 to 5', () => {
    const rate = clientExamples['conversation.rate'];
    for (const rating of [1, 5]) expect(parseClientFrame(JSON.stringify({ ...rate, rating })).ok).toBe(true);
    for (const rating of [0, 6, 2.5, '5'])
      expect(refused({ ...rate, rating }).message).toContain('field "rating"');
  });

  it('refuses a non-boolean note flag and an unknown presence status', () => {
    expect(refused(withField(send, 'note', 'true')).message).toContain('field "note"');
    expect(refused({ type: 'presence.set', status: 'busy' }).message).toContain(
      'field "status": expected "online" or "away" or "offline"',
    );
  });

  it('refuses a negative or fractional afterSeq', () => {
    const sub = clientExamples['conversation.subscribe'];
    expect(refused({ ...sub, afterSeq: -1 }).message).toContain('field "afterSeq"');
    expect(refused({ ...sub, afterSeq: 1.5 }).message).toContain('field "afterSeq"');
  });

  it('treats a "__proto__" key as the unknown field it is', () => {
    const result = parseClientFrame('{"type":"ping","__proto__":{"isAdmin":true}}');
    expect(result).toMatchObject({ ok: false, code: ErrorCode.INVALID_FRAME });
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it('echoes the ref of a refused frame so the error answers the request', () => {
    expect(refused(withField(send, 'body', 1)).ref).toBe('r3');
  });

  it('refuses an over-long or empty ref, without echoing it', () => {
    const long = refused({ type: 'ping', ref: 'x'.repeat(65) });
    expect(long.message).toContain('field "ref"');
    expect(long.ref).toBeUndefined();
    expect(refused({ type: 'ping', ref: '' }).message).toContain('field "ref" must not be empty');
  });
});
