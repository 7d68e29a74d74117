import { describe, expect, it } from 'vitest';
import { LmcacheInbox } from '../../../../src/kvcache/adapters/lmcache-inbox.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('LmcacheInbox (where an LMCache connection reads, and what it queues)', () => {
  it('offers a PUT slot only with nothing queued, else the scratch cut to what is wanted', () => {
    const inbox = new LmcacheInbox();
    const slot = new Uint8Array(100);
    expect(inbox.readTarget(slot, 100)).toBe(slot);
    expect(inbox.readTarget(undefined, 186)).toHaveLength(186);
    expect(inbox.readTarget(undefined, 0).length).toBe(64 * 1024);
    inbox.push(Buffer.from([1]));
    expect(inbox.readTarget(slot, 99)).not.toBe(slot);
    expect(inbox.readTarget(slot, 99)).toHaveLength(99);
  });

  it('takes payload bytes that landed in their slot, and queues the rest as a copy', () => {
    const inbox = new LmcacheInbox();
    const slot = new Uint8Array(4);
    slot.set([1, 2, 3, 4]);
    expect(inbox.landed(3, slot, 4, slot)).toBe(3);
    expect(inbox.buffered).toBe(0);
    // Read elsewhere (a target chosen before the state moved on): queued, not taken.
    const scratch = bytes(9, 8, 7);
    expect(inbox.landed(3, scratch, 4, slot.subarray(3))).toBe(0);
    scratch.fill(0); // the scratch is read into again: the queue kept its own copy
    expect([...inbox.take(3)]).toEqual([9, 8, 7]);
  });

  it('drops a payload not kept up to its end, queueing what follows it', () => {
    const inbox = new LmcacheInbox();
    expect(inbox.landed(5, bytes(1, 2, 3, 4, 5), 3, undefined)).toBe(3);
    expect([...inbox.take(2)]).toEqual([4, 5]);
    // With bytes queued ahead nothing is taken where it landed: order is kept.
    inbox.push(Buffer.from([6]));
    expect(inbox.landed(2, bytes(7, 8), 5, undefined)).toBe(0);
    expect([...inbox.take(3)]).toEqual([6, 7, 8]);
  });
});
