import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The widget runs on pages whose Content-Security-Policy forbids eval. zod/mini parses objects
// without code generation (classic zod compiles parsers with `new Function`, and merely probing for
// that files a CSP violation report). Refuse `new Function` as such a page would, and check that
// building and using the schemas never tries it. vitest runs each file in its own worker, so the
// protocol modules load fresh here, after the trap is set.
const RealFunction = globalThis.Function;
const evalAttempts: string[] = [];

beforeAll(() => {
  globalThis.Function = new Proxy(RealFunction, {
    construct(_target, args: unknown[]) {
      evalAttempts.push(String(args.at(-1)).slice(0, 80));
      throw new EvalError('Refused to evaluate a string as JavaScript (CSP)');
    },
    apply(_target, _this, args: unknown[]) {
      evalAttempts.push(String(args.at(-1)).slice(0, 80));
      throw new EvalError('Refused to evaluate a string as JavaScript (CSP)');
    },
  });
});

afterAll(() => {
  globalThis.Function = RealFunction;
});

describe('under a Content-Security-Policy without unsafe-eval', () => {
  it('builds and runs the schemas without ever trying eval', async () => {
    const { parseServerFrame } = await import('./parse-server.ts');
    const { parseClientFrame } = await import('./parse-client.ts');
    const { serverExamples, clientExamples } = await import('./testing/examples.ts');
    for (let i = 0; i < 3; i++) {
      for (const frame of Object.values(serverExamples)) {
        expect(parseServerFrame(JSON.stringify(frame)).ok).toBe(true);
      }
      for (const frame of Object.values(clientExamples)) {
        expect(parseClientFrame(JSON.stringify(frame)).ok).toBe(true);
      }
    }
    expect(evalAttempts).toEqual([]);
  });
});
