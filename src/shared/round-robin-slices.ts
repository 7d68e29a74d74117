/**
 * Visits a live Map in slices, round-robin: each call hands back about `size / slices` entries
 * after the last one visited, so work done for every entry once per period (the leader's pings
 * to 1,000 agents: ~18 ms in one turn every second) is spread over `slices` turns. Entries added
 * during a round are visited in it if they come after the cursor (a Map's iterator is live);
 * deleted ones are skipped. A round ends at the Map's end, so no entry is visited twice in one.
 */
export class RoundRobinSlices<K, V> {
  readonly #map: ReadonlyMap<K, V>;
  readonly #slices: number;
  #cursor: Iterator<[K, V]> | undefined;

  constructor(map: ReadonlyMap<K, V>, slices: number) {
    this.#map = map;
    this.#slices = Math.max(1, Math.floor(slices));
  }

  /** The next slice (empty only when the Map is). */
  next(): [K, V][] {
    const want = Math.ceil(this.#map.size / this.#slices);
    const out: [K, V][] = [];
    while (out.length < want) {
      this.#cursor ??= this.#map.entries();
      const step = this.#cursor.next();
      if (step.done === true) {
        this.#cursor = undefined;
        break;
      }
      out.push(step.value);
    }
    return out;
  }
}
