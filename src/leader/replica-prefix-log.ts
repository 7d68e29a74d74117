/**
 * The most recent prefix-index insertions (pure, bounded ring): a follower's welcome replays
 * them, so a replica that joins routes the hot prefixes where the leader does. Older insertions
 * are left out; their prompts are sent where load decides, and stick from then on.
 */
import type { PrefixInsertion } from '../protocol/index.js';

/** A ring of the last `capacity` insertions. */
export class ReplicaPrefixLog {
  readonly #ring: (PrefixInsertion | undefined)[];
  #next = 0;
  #count = 0;

  constructor(capacity: number) {
    this.#ring = new Array<PrefixInsertion | undefined>(Math.max(1, capacity));
  }

  add(insertion: PrefixInsertion): void {
    this.#ring[this.#next] = insertion;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#count = Math.min(this.#count + 1, this.#ring.length);
  }

  /** Oldest first. */
  recent(): PrefixInsertion[] {
    const out: PrefixInsertion[] = [];
    const start = (this.#next - this.#count + this.#ring.length) % this.#ring.length;
    for (let i = 0; i < this.#count; i++) {
      const item = this.#ring[(start + i) % this.#ring.length];
      if (item !== undefined) out.push(item);
    }
    return out;
  }
}
