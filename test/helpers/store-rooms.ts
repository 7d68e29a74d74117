/** Leak checks for BlockStore rooms (puts being written): how many the store can still open. */
import type { BlockStore } from '../../src/kvcache/index.js';

/**
 * How many rooms of `length` bytes the store can still open (held blocks are evicted for them,
 * open rooms are not): the slots of its whole budget unless a room leaked.
 */
export function roomsLeft(store: BlockStore, length: number): number {
  const rooms = [];
  for (let key = 1_000_000; ; key++) {
    const room = store.reserve(key, length);
    if (typeof room === 'string') break;
    rooms.push(room);
  }
  for (const r of rooms) r.abort();
  return rooms.length;
}
