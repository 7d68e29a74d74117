import { describe, expect, it } from 'vitest';
import { LineSplitter, keepNewest } from '../../../src/gpu/line-splitter.js';

describe('LineSplitter', () => {
  it('holds back a partial line until its newline arrives, and strips CR', () => {
    const s = new LineSplitter();
    expect(s.push('a\r\nb')).toEqual(['a']);
    expect(s.push('c\n')).toEqual(['bc']);
    expect(s.push('')).toEqual([]);
  });

  it('drops a tail longer than its bound and counts it', () => {
    const s = new LineSplitter(4);
    expect(s.push('123456789')).toEqual([]);
    expect(s.droppedLines).toBe(1);
    expect(s.push('ok\n')).toEqual(['ok']);
  });

  it('forgets the tail on reset (truncated file)', () => {
    const s = new LineSplitter();
    s.push('half');
    s.reset();
    expect(s.push('new\n')).toEqual(['new']);
  });
});

describe('keepNewest', () => {
  it('keeps the newest lines and says how many were dropped', () => {
    expect(keepNewest(['a', 'b', 'c'], 2)).toEqual({ lines: ['b', 'c'], dropped: 1 });
    expect(keepNewest(['a'], 2)).toEqual({ lines: ['a'], dropped: 0 });
  });
});
