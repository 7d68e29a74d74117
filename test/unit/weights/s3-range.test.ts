import { describe, expect, it } from 'vitest';
import { contentRange, parseRangeHeader } from '../../../src/weights/index.js';

describe('parseRangeHeader (S3 rules)', () => {
  const size = 1000;
  it.each([
    [undefined, { kind: 'whole' }],
    ['bytes=0-9', { kind: 'partial', range: { start: 0, end: 10 } }],
    ['bytes=990-2000', { kind: 'partial', range: { start: 990, end: 1000 } }],
    ['bytes=500-', { kind: 'partial', range: { start: 500, end: 1000 } }],
    ['bytes=-10', { kind: 'partial', range: { start: 990, end: 1000 } }],
    ['bytes=-5000', { kind: 'partial', range: { start: 0, end: 1000 } }],
    ['bytes=999-999', { kind: 'partial', range: { start: 999, end: 1000 } }],
    [' bytes = 1 - 2 ', { kind: 'partial', range: { start: 1, end: 3 } }],
    ['bytes=1000-1001', { kind: 'unsatisfiable' }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-4', { kind: 'whole' }],
    ['bytes=0-1,5-6', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
    ['bytes=-', { kind: 'whole' }],
    ['bytes=abc', { kind: 'whole' }],
    ['bytes=99999999999999999999-', { kind: 'whole' }],
  ])('%j → %j', (header, expected) => {
    expect(parseRangeHeader(header, size)).toEqual(expected);
  });

  it('refuses any range of an empty object', () => {
    expect(parseRangeHeader('bytes=0-0', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader(undefined, 0)).toEqual({ kind: 'whole' });
  });

  it('writes Content-Range with an inclusive end', () => {
    expect(contentRange({ start: 0, end: 10 }, 1000)).toBe('bytes 0-9/1000');
  });
});
