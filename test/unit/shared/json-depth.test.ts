import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from '../../../src/shared/index.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('exceedsJsonDepth', () => {
  it.each([
    ['a flat object', '{"a":1}', 1, false],
    ['depth exactly at the limit', nested(64), 64, false],
    ['one past the limit', nested(65), 64, true],
    ['objects and arrays mixed', '{"a":[{"b":[1]}]}', 3, true],
    ['brackets inside strings do not count', `{"s":"${'[{'.repeat(100)}"}`, 2, false],
    ['an escaped quote does not end a string', `{"s":"\\"[[[[[["}`, 2, false],
    ['an escaped backslash before a quote ends it', `{"s":"\\\\"}${nested(5)}`, 3, true],
    ['an unterminated string stops the scan', `{"s":"${'['.repeat(100)}`, 2, false],
    ['10,000 levels', nested(10_000), 64, true],
  ])('%s', (_, text, limit, expected) => {
    expect(exceedsJsonDepth(bytes(text), limit)).toBe(expected);
  });

  it('scans a large prompt quickly (strings skipped with indexOf)', () => {
    const big = bytes(`{"prompt":"${'x'.repeat(8 * 1024 * 1024)}"}`);
    const started = performance.now();
    expect(exceedsJsonDepth(big, 64)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
