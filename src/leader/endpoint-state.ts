/**
 * One engine as the gateway sees it, and the memo that builds it. At 1,000 nodes × 8 engines a
 * gateway pick read a model's 1,000 engines and built 1,000 fresh state objects every time
 * (issue #18); an engine's state only changes when its node's record does (a revision) or its
 * data ages past the staleness limit, so the memo hands back the same object until then.
 */
import type { EngineEndpoint } from '../discovery/index.js';
import type { EngineReport } from '../protocol/index.js';

/** One engine as the gateway sees it. */
export interface EndpointState {
  readonly endpoint: EngineEndpoint;
  /** The latest agent report, if any agent ever reported it. */
  readonly report: EngineReport | undefined;
  /** The agent's data is missing, from a lost agent, or older than the staleness limit. */
  readonly stale: boolean;
  /**
   * The agent's last report says the engine stopped answering. Staleness never clears it: an
   * agent that reported an engine down and then went quiet (or was lost) has told us nothing new,
   * so only a later report that says ready (or discovery dropping the engine) brings it back.
   */
  readonly agentSaysDown: boolean;
  /** A GPU the engine uses is failed (or, without a GPU mapping, any GPU of its node). */
  readonly gpuFailed: boolean;
  /**
   * The agent's last report says the engine is draining (`engine.drain`): alive and not down,
   * but no new request goes to it. Like agentSaysDown, only a later report clears it.
   */
  readonly draining: boolean;
}

/** What an engine's state is built from: its node's record as the store holds it. */
export interface NodeRecordView {
  /** Changes whenever anything below changes (unique across records, never reused). */
  readonly revision: number;
  readonly connected: boolean;
  readonly lastReportMs: number;
  readonly engines: ReadonlyMap<string, EngineReport>;
  /** Indices of the node's failed GPUs. */
  readonly failedGpus: readonly number[];
}

/** The revision that stands for "no record" (never a record's own). */
const NO_RECORD = -1;

/** Builds engines' states, reusing the last one while its inputs are the same. */
export class EndpointStateMemo {
  /** A report older than this is stale, ms (the store widens it while agents are paced). */
  staleAfterMs: number;
  /** Keyed by discovery's endpoint object, so a new discovery view drops the old entries. */
  readonly #memo = new WeakMap<EngineEndpoint, { revision: number; state: EndpointState }>();

  constructor(staleAfterMs: number) {
    this.staleAfterMs = staleAfterMs;
  }

  /** The engine's state at `now` given its node's record (undefined: no agent reported it). */
  stateOf(
    endpoint: EngineEndpoint,
    record: NodeRecordView | undefined,
    now: number,
  ): EndpointState {
    const report = record?.engines.get(endpoint.id);
    const fresh =
      record !== undefined && record.connected && now - record.lastReportMs <= this.staleAfterMs;
    const stale = !fresh || report === undefined;
    const revision = record?.revision ?? NO_RECORD;
    const memo = this.#memo.get(endpoint);
    if (memo?.revision === revision && memo.state.stale === stale) return memo.state;
    const failed = record?.failedGpus ?? [];
    const gpuFailed =
      failed.length > 0 &&
      (endpoint.gpuIndices === undefined || endpoint.gpuIndices.some((i) => failed.includes(i)));
    // Down is the last thing the agent said, fresh or not: a dead engine's report stops changing,
    // so its data ages into "stale", and stale must not read as "maybe up again".
    const agentSaysDown = report !== undefined && !report.ready;
    const draining = report?.draining === true;
    const state = { endpoint, report, stale, agentSaysDown, gpuFailed, draining };
    this.#memo.set(endpoint, { revision, state });
    return state;
  }
}
