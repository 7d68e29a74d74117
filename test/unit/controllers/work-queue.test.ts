import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../src/controllers/index.js';

describe('WorkQueue', () => {
  it('hands out a key queued twice once, in arrival order', () => {
    const q = new WorkQueue(10);
    expect(q.add('a')).toBe('queued');
    expect(q.add('b')).toBe('queued');
    expect(q.add('a')).toBe('already-queued');
    expect(q.depth).toBe(2);
    expect([q.next(), q.next(), q.next()]).toEqual(['a', 'b', undefined]);
  });

  it('keeps a key added while in process aside, and queues it again when done', () => {
    const q = new WorkQueue(10);
    q.add('a');
    expect(q.next()).toBe('a');
    expect(q.add('a')).toBe('marked-dirty');
    expect(q.add('a')).toBe('already-queued');
    // Not handed to a second worker while the first still has it.
    expect(q.next()).toBeUndefined();
    expect(q.done('a')).toBe(true);
    expect(q.next()).toBe('a');
    expect(q.done('a')).toBe(false);
    expect(q.next()).toBeUndefined();
  });

  it('refuses new keys past its bound, dirty keys included', () => {
    const q = new WorkQueue(2);
    q.add('a');
    q.next();
    q.add('a');
    q.add('b');
    expect(q.add('c')).toBe('full');
    expect(q.add('b')).toBe('already-queued');
    expect(q.depth).toBe(2);
  });
});
