import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ErrorCode } from './codes.ts';
import { CLIENT_FRAME_TYPES } from './frame-types.ts';
import { exceedsUtf8Bytes } from './parse.ts';
import { parseClientFrame } from './parse-client.ts';
import { parseServerFrame } from './parse-server.ts';
import { clientExamples, serverExamples } from './testing/examples.ts';

describe('parseClientFrame on malformed text', () => {
  it('answers bad_json for text that is not JSON', () => {
    for (const raw of ['', 'hello', '{"type":', "{'type':'ping'}", '{"type":"ping"}}']) {
      expect(parseClientFrame(raw), raw).toMatchObject({ ok: false, code: ErrorCode.BAD_JSON });
    }
  });

  it('answers unknown_type for JSON that is not an object with a string type', () => {
    for (const raw of ['null', '42', '"ping"', '[{"type":"ping"}]', '{}', '{"type":7}', '{"ref":"r1"}']) {
      expect(parseClientFrame(raw), raw).toMatchObject({ ok: false, code: ErrorCode.UNKNOWN_TYPE });
    }
  });

  it('names an unknown type, shortened if long, and keeps the ref', () => {
    expect(parseClientFrame('{"type":"message.delete","ref":"r9"}')).toEqual({
      ok: false,
      code: ErrorCode.UNKNOWN_TYPE,
      message: 'unknown frame type "message.delete"',
      ref: 'r9',
    });
    const long = parseClientFrame(JSON.stringify({ type: 'x'.repeat(500) }));
    expect(long.ok === false && long.message.length).toBeLessThan(80);
  });

  it('does not find types on Object.prototype', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(parseClientFrame(JSON.stringify({ type })), type).toMatchObject({
        code: ErrorCode.UNKNOWN_TYPE,
      });
    }
  });

  it('never confuses the two directions', () => {
    expect(parseClientFrame(JSON.stringify(serverExamples.ack))).toMatchObject({
      code: ErrorCode.UNKNOWN_TYPE,
    });
    expect(parseServerFrame(JSON.stringify(clientExamples['message.send']))).toMatchObject({
      code: ErrorCode.UNKNOWN_TYPE,
    });
  });

  it('survives 1,000 random malformed frames, answering each with a known code and a message', () => {
    const random = seededRandom(20261121);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const raw = malformed(random);
      let result: ReturnType<typeof parseClientFrame> | undefined;
      expect(
        () => {
          result = parseClientFrame(raw);
        },
        raw.slice(0, 200),
      ).not.toThrow();
      if (result === undefined) throw new Error('no result');
      if (result.ok) {
        // A mutation can land on another valid frame; it must then really be one.
        expect(CLIENT_FRAME_TYPES).toContain(result.frame.type);
        continue;
      }
      expect(ERROR_CODES).toContain(result.code);
      expect(result.message.length).toBeGreaterThan(0);
      seen.add(result.code);
    }
    // The generator reaches every parser stage, so the loop proves each stage is safe.
    expect([...seen].sort()).toEqual(['bad_json', 'frame_too_large', 'invalid_frame', 'unknown_type']);
  });

  it('also leaves parseServerFrame unbroken by the same inputs', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const raw = malformed(random);
      expect(() => parseServerFrame(raw), raw.slice(0, 200)).not.toThrow();
    }
  });
});

describe('exceedsUtf8Bytes', () => {
  it('agrees with the real UTF-8 length at and around the limit', () => {
    const samples = ['', 'a'.repeat(10), 'é'.repeat(5), '€'.repeat(4), '😀'.repeat(3), 'aé€😀'];
    for (const text of samples) {
      const bytes = Buffer.byteLength(text, 'utf8');
      expect(exceedsUtf8Bytes(text, bytes), text).toBe(false);
      if (bytes > 0) expect(exceedsUtf8Bytes(text, bytes - 1), text).toBe(true);
    }
  });
});

// ------------------------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  true,
  -1,
  1e308,
  0.5,
  '',
  'x'.repeat(300),
  [],
  {},
  [[[]]],
  { a: { b: {} } },
];

/** A malformed frame: broken JSON, wrong shapes, mutated valid frames, odd Unicode, huge or deep input. */
function malformed(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const valid = JSON.stringify(pick(Object.values(clientExamples)));
  switch (Math.floor(random() * 8)) {
    case 0: // truncated
      return valid.slice(0, Math.floor(random() * valid.length));
    case 1: {
      // one character replaced
      const at = Math.floor(random() * valid.length);
      return valid.slice(0, at) + String.fromCharCode(Math.floor(random() * 0xffff)) + valid.slice(at + 1);
    }
    case 2: {
      // one field given an odd value
      const frame = JSON.parse(valid) as Record<string, unknown>;
      frame[pick(Object.keys(frame))] = pick(ODD_VALUES);
      return JSON.stringify(frame);
    }
    case 3: // an odd JSON value instead of a frame
      return JSON.stringify(pick(ODD_VALUES));
    case 4: // random characters
      return Array.from({ length: Math.floor(random() * 60) }, () =>
        String.fromCharCode(Math.floor(random() * 0x2fff)),
      ).join('');
    case 5: // deep nesting
      return `{"type":"ping","ref":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    case 6: // oversize
      return `{"type":"typing","pad":"${'x'.repeat(200_000)}"}`;
    default: // an unknown type
      return JSON.stringify({ type: `t${Math.floor(random() * 1e6)}` });
  }
}
