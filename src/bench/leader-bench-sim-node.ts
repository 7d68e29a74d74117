/**
 * One simulated node of `bench leader` without its connection: the messages a real agent would
 * send (hello with a full snapshot, a `state` delta per period with every engine's moved load,
 * `kv` batches of blocks stored and the oldest removed past a per-engine bound) and the bookkeeping
 * behind them. The agents' processes share the leader's cores, so frames are cheap to make: the
 * engines' reports are encoded once into a small ring and each delta splices its seq in.
 */
import {
  KV_BINARY_FEATURE,
  PACE_FEATURE,
  PROTOCOL_VERSION,
  type KvMessage,
  type KvSourceDelta,
} from '../protocol/index.js';
import {
  engineId,
  engineReport,
  gpuSummaries,
  modelOf,
  nodeName,
  type AgentsChildPlan,
} from './leader-bench-plan.js';

const ENGINE_URL = 'http://127.0.0.1:1';
/** Distinct encoded report sets a node cycles through (its engines' load keeps moving). */
const REPORT_RING = 4;

/** The part of the plan a node needs. */
export type SimNodePlan = Pick<AgentsChildPlan, 'engines' | 'models' | 'kvBlocksPerEngine'> &
  Partial<Pick<AgentsChildPlan, 'kvBinary' | 'paced'>>;

/** One simulated node's protocol state. */
export class SimNode {
  readonly n: number;
  readonly #plan: SimNodePlan;
  /** Encoded `engines` arrays, one per ring slot. */
  readonly #reports: string[];
  #seq = 0;
  #tick = 0;
  #kvSeq = 0;
  /** Per engine, the blocks it holds, oldest first. */
  readonly #held: number[][];
  #pending: { stored: number[]; removed: number[] }[];
  #nextHash = 0;
  #needKvReset = true;

  constructor(n: number, plan: SimNodePlan) {
    this.n = n;
    this.#plan = plan;
    this.#reports = Array.from({ length: REPORT_RING }, (_, tick) =>
      JSON.stringify(
        Array.from({ length: plan.engines }, (_, e) =>
          engineReport(engineId(n, e), modelOf(n, e, plan.engines, plan.models), ENGINE_URL, tick),
        ),
      ),
    );
    this.#held = Array.from({ length: plan.engines }, () => []);
    this.#pending = this.#emptyPending();
  }

  /** The hello frame with a full snapshot; kv seq restarts after it. */
  hello(): string {
    this.#kvSeq = 0;
    this.#needKvReset = true;
    const engines = this.#reports[this.#tick % REPORT_RING] ?? '[]';
    const gpus = JSON.stringify(gpuSummaries(this.#plan.engines));
    const features = JSON.stringify([
      ...(this.#plan.paced === false ? [] : [PACE_FEATURE]),
      ...(this.#plan.kvBinary === true ? [KV_BINARY_FEATURE] : []),
    ]);
    return (
      `{"v":${PROTOCOL_VERSION},"type":"hello","node":"${nodeName(this.n)}",` +
      `"agentVersion":"bench","seq":${this.#seq},"snapshot":{"engines":${engines},"gpus":${gpus}},` +
      `"features":${features}}`
    );
  }

  /** The next state delta's frame; call {@link stateSent} once it went out. */
  nextState(): string {
    this.#tick++;
    const engines = this.#reports[this.#tick % REPORT_RING] ?? '[]';
    return `{"v":${PROTOCOL_VERSION},"type":"state","seq":${this.#seq + 1},"engines":${engines}}`;
  }

  stateSent(): void {
    this.#seq++;
  }

  /** The leader asked for a KV reset: the next batch carries the whole holdings. */
  kvResync(): void {
    this.#needKvReset = true;
  }

  /** Stores this flush's share of blocks on each engine, removing the oldest past the bound. */
  storeBlocks(blocks: number): void {
    const { engines, kvBlocksPerEngine } = this.#plan;
    for (let i = 0; i < blocks; i++) {
      // Round-robin over the engines (the counter moves once per block).
      const e = this.#nextHash % engines;
      // Unique per node, below 2^52: node index in the high bits, a counter in the low 32.
      const hash = this.n * 2 ** 32 + (this.#nextHash % 2 ** 32) + 1;
      this.#nextHash++;
      const held = this.#held[e] ?? [];
      const pending = this.#pending[e] ?? { stored: [], removed: [] };
      held.push(hash);
      pending.stored.push(hash);
      if (held.length > kvBlocksPerEngine) pending.removed.push(held.shift() ?? 0);
    }
  }

  /** The next `kv` batch (undefined when there is nothing to say); call {@link kvSent} after. */
  nextKv(): KvMessage | undefined {
    const deltas: KvSourceDelta[] = [];
    const reset = this.#needKvReset;
    for (let e = 0; e < this.#plan.engines; e++) {
      const pending = this.#pending[e];
      if (pending === undefined) continue;
      const stored = reset ? [...(this.#held[e] ?? [])] : pending.stored;
      const removed = reset ? [] : pending.removed;
      if (stored.length + removed.length === 0) continue;
      deltas.push({
        tier: 'gpu',
        engineId: engineId(this.n, e),
        ...(stored.length > 0 ? { stored } : {}),
        ...(removed.length > 0 ? { removed } : {}),
      });
    }
    if (deltas.length === 0 && !reset) return undefined;
    return {
      v: 1,
      type: 'kv',
      seq: this.#kvSeq + 1,
      ...(reset ? { reset: true as const } : {}),
      deltas,
    };
  }

  kvSent(): void {
    this.#kvSeq++;
    this.#needKvReset = false;
    this.#pending = this.#emptyPending();
  }

  /** A batch could not go out: past the bound, drop it and send the whole holdings next time. */
  kvNotSent(): void {
    if (!this.#pending.some((p) => p.stored.length > this.#plan.kvBlocksPerEngine)) return;
    this.#needKvReset = true;
    this.#pending = this.#emptyPending();
  }

  #emptyPending(): { stored: number[]; removed: number[] }[] {
    return Array.from({ length: this.#plan.engines }, () => ({ stored: [], removed: [] }));
  }
}
