/**
 * An agent's new engine report written into the one the leader keeps, where both have the same
 * shape, instead of replacing it (issue #18).
 *
 * Why: every report lives until the engine's next one, a second or more, so a replaced report
 * outlives a few young-generation collections, each of which copies it (~1 KB in ~30 objects with
 * metrics), and then lands in the old generation as garbage for the next full collection. At
 * 1,000 nodes × 8 engines those copies were most of what each collection of the leader's main
 * thread copied, ~12 ms of pause a collection several times a second (`--trace-gc-nvp`).
 * Written in place, the parsed report dies within the turn that read it and the kept one does not
 * move. Readers see the newer values through the objects they hold, as they would through the
 * newer report; the records' revision still changes, so derived states are rebuilt as before.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Same length and the same elements (`===`): the kept array stays. */
function sameArray(kept: readonly unknown[], next: readonly unknown[]): boolean {
  if (kept.length !== next.length) return false;
  for (let i = 0; i < kept.length; i++) if (kept[i] !== next[i]) return false;
  return true;
}

/** Whether `a` and `b` have the same own keys (order aside). */
function sameKeys(a: Json, b: Json): boolean {
  let count = 0;
  for (const k in b) {
    if (!Object.hasOwn(a, k)) return false;
    count++;
  }
  for (const k in a) if (Object.hasOwn(a, k)) count--;
  return count === 0;
}

/**
 * `next`'s value, as `kept` when it could be made equal to `next` in place (plain objects with
 * the same keys all the way down; arrays only when equal, never written), else `next` itself.
 * Either way the answer deep-equals `next`, and `next` is not changed. An object is written only
 * once all of its keys are known to match, so a mismatch deep inside replaces that part alone.
 */
export function refreshInPlace<T>(kept: T, next: T): T {
  if (Object.is(kept, next)) return kept;
  if (Array.isArray(kept) && Array.isArray(next)) return sameArray(kept, next) ? kept : next;
  if (!isObject(kept) || !isObject(next) || !sameKeys(kept, next)) return next;
  const into: Json = kept;
  for (const k in next) {
    const value = refreshInPlace(into[k], next[k]);
    if (!Object.is(into[k], value)) into[k] = value;
  }
  return kept;
}

/** Sets `key` to `value`, written into the value the map holds there if any (above). */
export function setRefreshed<K, V>(map: Map<K, V>, key: K, value: V): void {
  const kept = map.get(key);
  map.set(key, kept === undefined ? value : refreshInPlace(kept, value));
}
