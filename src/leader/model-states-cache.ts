/**
 * Each model's engines as the gateway reads them, kept between reads and patched where a node
 * changed. Every request reads its model's engines (admission, then the pick); at 1,000 nodes ×
 * 8 engines that was a memo lookup per engine, 1,000 per read, ~0.9 ms a read and a fifth of the
 * leader's CPU at 100 requests a second (issue #18). Agents report a few hundred times a second,
 * each touching one engine per model, so a read now re-derives only the engines of nodes that
 * reported since the last read, plus those whose last report may have aged into staleness
 * (each position keeps its own horizon). Each patched list remembers the list it came from and
 * the positions replaced (`changedSince`), so the gateway's catalog patches its own views
 * likewise instead of mapping a thousand states per request.
 */
import type { EngineEndpoint } from '../discovery/index.js';
import { EndpointStateMemo, type EndpointState, type NodeRecordView } from './endpoint-state.js';

interface Entry {
  /** Discovery's list this entry was built from (a new view builds a new entry). */
  readonly endpoints: readonly EngineEndpoint[];
  /** Positions in `endpoints` by node. */
  readonly byNode: ReadonlyMap<string, readonly number[]>;
  /** Handed out read-only and never changed after: a patch makes a new array. */
  states: readonly EndpointState[];
  /** Nodes whose record changed since `states` was made. */
  readonly dirty: Set<string>;
  /** Per position, the last moment its state stays what it is without a new report. */
  readonly horizons: Float64Array;
  /**
   * `states` holds while the time freshness is judged at stays in [judgedAt, validUntil]:
   * judgedAt is the latest time a state was judged at, validUntil at most the nearest horizon.
   */
  judgedAt: number;
  validUntil: number;
  /** The staleness limit changed: every position is judged again at the next read. */
  rejudge: boolean;
}

/** How a list was made from the list before it: the positions whose state was replaced. */
export interface StatesPatch {
  readonly from: readonly EndpointState[];
  readonly positions: readonly number[];
}

/** Patches followed back from a list before a reader rebuilds its own view whole. */
const MAX_PATCH_HOPS = 16;

/** The key of the list of every discovered engine, beside the models' own lists. */
export const EVERY_ENGINE = Symbol('every engine');

export class ModelStatesCache {
  readonly #baseStaleAfterMs: number;
  readonly #memo: EndpointStateMemo;
  readonly #recordOf: (node: string) => NodeRecordView | undefined;
  readonly #entries = new Map<string | typeof EVERY_ENGINE, Entry>();
  /** Each patched list's patch, so readers keeping views beside a list can patch them too. */
  readonly #patches = new WeakMap<readonly EndpointState[], StatesPatch>();

  /**
   * @param staleAfterMs a report older than this is stale (unless agents are paced).
   * @param recordOf the store's record of a node, if any.
   */
  constructor(staleAfterMs: number, recordOf: (node: string) => NodeRecordView | undefined) {
    this.#baseStaleAfterMs = staleAfterMs;
    this.#memo = new EndpointStateMemo(staleAfterMs);
    this.#recordOf = recordOf;
  }

  /** One engine's state at `now` (memoized per engine; see EndpointStateMemo). */
  stateOf(endpoint: EngineEndpoint, now: number): EndpointState {
    return this.#memo.stateOf(endpoint, this.#recordOf(endpoint.node), now);
  }

  /**
   * The leader asked agents to space routine reports by `gapMs` (agent-pace.ts): a report turns
   * stale only `staleAfterMs` past that gap, or pacing alone would make every engine's data
   * stale between two reports. The margin also covers the old, longer gap for the moment after
   * the pace relaxes (÷1.5 per step from at most 5 s: within the 3-s default margin).
   */
  allowReportGap(gapMs: number): void {
    const limit = this.#baseStaleAfterMs + Math.max(0, gapMs);
    if (limit === this.#memo.staleAfterMs) return;
    this.#memo.staleAfterMs = limit;
    // Judged again, not rebuilt: the memo hands back the same state wherever staleness did not
    // flip, so readers patch a few positions. A rebuild made every model's next request build
    // 1,000 states and views anew, a 20-30 ms turn per model at each change of pace.
    for (const entry of this.#entries.values()) entry.rejudge = true;
  }

  /** A node's record changed or went: its engines are read again at the next read. */
  touch(node: string): void {
    for (const entry of this.#entries.values()) if (entry.byNode.has(node)) entry.dirty.add(node);
  }

  /** Discovery or the staleness rule changed: every model is rebuilt at its next read. */
  clear(): void {
    this.#entries.clear();
  }

  /**
   * `model`'s engines (discovery's `endpoints` for it) with their states at `now`; with
   * {@link EVERY_ENGINE}, every discovered engine.
   */
  forModel(
    model: string | typeof EVERY_ENGINE,
    endpoints: readonly EngineEndpoint[],
    now: number,
  ): readonly EndpointState[] {
    const entry = this.#entries.get(model);
    // A new discovery list, or time judged backwards (a gateway replica judging at its feed's
    // last moment): build anew.
    if (entry?.endpoints !== endpoints || now < entry.judgedAt)
      return this.#build(model, endpoints, now);
    // Past the nearest horizon: some report may have aged into staleness.
    const aged = entry.rejudge || now > entry.validUntil;
    if (!aged && entry.dirty.size === 0) return entry.states;
    entry.judgedAt = now;
    const changes = new Map<number, EndpointState>();
    const judge = (i: number): void => {
      const state = this.stateOf(endpoints[i] as EngineEndpoint, now);
      const horizon = this.#validUntil(state);
      entry.horizons[i] = horizon;
      entry.validUntil = Math.min(entry.validUntil, horizon);
      if (state !== entry.states[i]) changes.set(i, state);
    };
    for (const node of entry.dirty) for (const i of entry.byNode.get(node) ?? []) judge(i);
    entry.dirty.clear();
    if (aged) {
      // Only the engines past their own horizon are judged again (all of them after a new
      // staleness limit); the nearest horizon is found anew.
      const all = entry.rejudge;
      entry.rejudge = false;
      entry.validUntil = Infinity;
      for (let i = 0; i < endpoints.length; i++) {
        if (all || now > (entry.horizons[i] as number)) judge(i);
        entry.validUntil = Math.min(entry.validUntil, entry.horizons[i] as number);
      }
    }
    return this.#patch(entry, changes);
  }

  /**
   * The positions whose state differs between `earlier` (a list this cache handed out) and
   * `later`, from the patches between them; undefined when `later` was not patched from it
   * within a few steps (the reader then rebuilds whole).
   */
  changedSince(
    earlier: readonly EndpointState[],
    later: readonly EndpointState[],
  ): readonly number[] | undefined {
    const positions: number[] = [];
    let list = later;
    for (let hop = 0; hop < MAX_PATCH_HOPS && list !== earlier; hop++) {
      const patch = this.#patches.get(list);
      if (patch === undefined) return undefined;
      for (const i of patch.positions) positions.push(i);
      list = patch.from;
    }
    return list === earlier ? positions : undefined;
  }

  /** A new list with `changes` (position → state) applied; the same list when there are none. */
  #patch(entry: Entry, changes: ReadonlyMap<number, EndpointState>): readonly EndpointState[] {
    if (changes.size === 0) return entry.states;
    const states = entry.states.slice();
    for (const [i, state] of changes) states[i] = state;
    this.#patches.set(states, { from: entry.states, positions: [...changes.keys()] });
    this.#cutChain(states);
    entry.states = states;
    return states;
  }

  /**
   * Drops the patch MAX_PATCH_HOPS back from `newest`: no reader follows a chain further, and
   * each patch holds the list before it, so an uncut chain kept every list a model ever had
   * (8 KB each at 1,000 engines, a dozen a second per model under load) until discovery changed.
   */
  #cutChain(newest: readonly EndpointState[]): void {
    let list = newest;
    for (let hop = 0; hop < MAX_PATCH_HOPS; hop++) {
      const patch = this.#patches.get(list);
      if (patch === undefined) return;
      list = patch.from;
    }
    this.#patches.delete(list);
  }

  /** The last moment a state read now stays what it is without a new report. */
  #validUntil(state: EndpointState): number {
    const record = state.stale ? undefined : this.#recordOf(state.endpoint.node);
    return record === undefined ? Infinity : record.lastReportMs + this.#memo.staleAfterMs;
  }

  #build(
    model: string | typeof EVERY_ENGINE,
    endpoints: readonly EngineEndpoint[],
    now: number,
  ): readonly EndpointState[] {
    const byNode = new Map<string, number[]>();
    const horizons = new Float64Array(endpoints.length);
    let validUntil = Infinity;
    const states = endpoints.map((endpoint, i) => {
      const positions = byNode.get(endpoint.node);
      if (positions === undefined) byNode.set(endpoint.node, [i]);
      else positions.push(i);
      const state = this.stateOf(endpoint, now);
      horizons[i] = this.#validUntil(state);
      validUntil = Math.min(validUntil, horizons[i]);
      return state;
    });
    this.#entries.set(model, {
      endpoints,
      byNode,
      states,
      dirty: new Set(),
      horizons,
      judgedAt: now,
      validUntil,
      rejudge: false,
    });
    return states;
  }
}
