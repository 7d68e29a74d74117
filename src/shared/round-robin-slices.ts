/**
 * Visits a live Map in slices, round-robin: a round is `slices` calls, and each call hands back
 * the next ~`size / slices` entries, so work done for every entry once per period (the leader's
 * pings to 1,000 agents: ~18 ms in one turn every second) is spread over `slices` turns. A round
 * visits each entry at most once, however few entries there are: with fewer entries than slices
 * the last calls of a round hand back nothing (one agent is pinged once per period, not on every
 * call). Entries added during a round are visited in it if they come after the cursor and the
 * round has room (a Map's iterator is live); deleted ones are skipped.
 */
export class RoundRobinSlices<K, V> {
  readonly #map: ReadonlyMap<K, V>;
  readonly #slices: number;
  #cursor: Iterator<[K, V]> | undefined;
  /** Calls made in the current round. */
  #call = 0;
  /** Entries per call in the current round (fixed at its start). */
  #perCall = 0;

  constructor(map: ReadonlyMap<K, V>, slices: number) {
    this.#map = map;
    this.#slices = Math.max(1, Math.floor(slices));
  }

  /** The next slice: empty when the round has visited every entry (or the Map is empty). */
  next(): [K, V][] {
    if (this.#call === 0) {
      this.#cursor = this.#map.entries();
      this.#perCall = Math.ceil(this.#map.size / this.#slices);
    }
    this.#call = (this.#call + 1) % this.#slices;
    const out: [K, V][] = [];
    while (this.#cursor !== undefined && out.length < this.#perCall) {
      const step = this.#cursor.next();
      if (step.done === true) this.#cursor = undefined;
      else out.push(step.value);
    }
    return out;
  }
}
