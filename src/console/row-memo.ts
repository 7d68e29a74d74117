/**
 * Console rows kept from one tick to the next for inputs that are the same objects, so an
 * unchanged engine or GPU list is not mapped again (issue #18).
 *
 * The feed reads every section each second, watched or not (its events come from comparing
 * ticks). At 1,000 nodes × 8 engines a tick made 8,000 engine rows and 8,000 GPU rows, each kept
 * until the next tick: long enough to be copied by young-generation collections and promoted,
 * a third of what the leader's main thread promoted once agents' reports stopped being. The
 * store hands out the same engine state object while the engine's node has not reported, and a
 * node's GPU list is replaced only when its agent reports GPUs; rows are never changed after
 * they are made, so handing the same row out again is safe.
 */
import type { GpuHealthSummary } from '../protocol/index.js';
import type { ConsoleEngine, ConsoleGpu } from './console-snapshot.js';

export class ConsoleRowMemo {
  /**
   * Keyed by the engine (`key`, its discovery entry), holding the state its row was made from:
   * a table keyed by the states themselves, replaced at every report and living past
   * young-generation collections, grew by thousands of dead entries a second until the next full
   * collection, and its rehashes were long turns of the leader's loop (#18).
   */
  readonly #engines = new WeakMap<
    object,
    { state: object; ejected: boolean; row: ConsoleEngine }
  >();
  readonly #gpus = new WeakMap<readonly GpuHealthSummary[], readonly ConsoleGpu[]>();

  /** The row of engine `key` for this state object and ejection, made by `make` when new. */
  engine(key: object, state: object, ejected: boolean, make: () => ConsoleEngine): ConsoleEngine {
    const kept = this.#engines.get(key);
    if (kept?.state === state && kept.ejected === ejected) return kept.row;
    const row = make();
    if (kept === undefined) this.#engines.set(key, { state, ejected, row });
    else {
      kept.state = state;
      kept.ejected = ejected;
      kept.row = row;
    }
    return row;
  }

  /** The rows of this GPU list object, made by `make` when new. */
  gpus(
    list: readonly GpuHealthSummary[],
    make: () => readonly ConsoleGpu[],
  ): readonly ConsoleGpu[] {
    let rows = this.#gpus.get(list);
    if (rows === undefined) {
      rows = make();
      this.#gpus.set(list, rows);
    }
    return rows;
  }
}
