/**
 * The order the console shows engines in (by id), kept from one tick to the next. The feed maps
 * every engine each second; sorting 8,000 ids with `localeCompare` each time took 8–12 ms of
 * the leader's event loop in one turn, the console's
 * whole cost at 1,000 nodes. The set of engines rarely changes between ticks, so the sorted
 * ranks are kept and each tick only places engines by rank: O(n) map lookups, sorting again
 * only when an id came or went.
 */

/** Id order, as the console has always sorted (locale-aware, so the page's order is unchanged). */
export const compareIds = (a: string, b: string): number => a.localeCompare(b);

/** Sorts items by id, reusing the last sort while the ids stay the same. */
export class IdOrder {
  #rank = new Map<string, number>();

  /** `items` by id: a new array; `items` is left as it was. */
  sort<T extends { readonly id: string }>(items: readonly T[]): T[] {
    if (!this.#covers(items)) {
      const ids = items.map((i) => i.id).sort(compareIds);
      this.#rank = new Map(ids.map((id, i) => [id, i]));
      // The same id twice: ranks cannot place them, so sort outright (and keep no ranks).
      if (this.#rank.size !== items.length) {
        this.#rank = new Map();
        return [...items].sort((a, b) => compareIds(a.id, b.id));
      }
    }
    const out = new Array<T | undefined>(items.length);
    for (const item of items) {
      const at = this.#rank.get(item.id) as number;
      // An id twice (and another missing) with the same count: place nothing, sort outright.
      if (out[at] !== undefined) return [...items].sort((a, b) => compareIds(a.id, b.id));
      out[at] = item;
    }
    return out as T[];
  }

  /** Whether the kept ranks are exactly `items`' ids. */
  #covers(items: readonly { readonly id: string }[]): boolean {
    if (items.length !== this.#rank.size) return false;
    for (const item of items) if (!this.#rank.has(item.id)) return false;
    return true;
  }
}
