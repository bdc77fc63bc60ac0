import { describe, expect, it } from 'vitest';
import * as shared from './index.ts';

describe('shared package', () => {
  it('loads its TypeScript source without a build step', () => {
    expect(typeof shared).toBe('object');
  });
});
