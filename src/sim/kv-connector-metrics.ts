/**
 * The KV connector's metrics: vLLM's connector tier counters (`vllm:external_prefix_cache_*`,
 * v0.10.2+, exported only when a connector is configured, in tokens as vLLM counts them) and the
 * simulator's own counters of what moved. Byte counters carry kind="modeled" (the true KV size
 * the timing model uses) and kind="real" (the scaled payload actually sent, modeled × the
 * configured bytesFraction).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How a connector lookup ended. */
export type FetchOutcome = 'fetched' | 'recomputed' | 'miss' | 'skipped' | 'late' | 'failed';
const OUTCOMES: readonly FetchOutcome[] = [
  'fetched',
  'recomputed',
  'miss',
  'skipped',
  'late',
  'failed',
];

/** Buckets of a lookup's wall time, seconds: 0.5 ms to 2 s (the call bound's order). */
export const LOOKUP_BUCKETS_S = [
  0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2,
];
/** Why an evicted block was not offloaded. */
export type OffloadDrop = 'queue_full' | 'put_failed';

/** Counters of one simulator's connector. */
export class KvConnectorMetrics {
  readonly externalQueries: Counter.Internal;
  readonly externalHits: Counter.Internal;
  readonly #decisions: Counter;
  readonly #offloadBytes: Counter;
  readonly #fetchBytes: Counter;
  readonly #dropped: Counter;
  readonly offloadedBlocks: Counter.Internal;
  readonly verifyFailures: Counter.Internal;
  readonly waitingForRemote: Gauge;
  readonly #lookup: Histogram;

  constructor(registry: Registry, modelName: string) {
    const registers = [registry];
    const labels = { model_name: modelName, engine: '0' };
    const vllm = (name: string, help: string): Counter.Internal => {
      const c = new Counter({ name, help, labelNames: ['model_name', 'engine'], registers });
      c.inc(labels, 0);
      return c.labels(labels);
    };
    this.externalQueries = vllm(
      'vllm:external_prefix_cache_queries_total',
      'External prefix cache queries from KV connector cross-instance cache sharing, in terms of number of queried tokens.',
    );
    this.externalHits = vllm(
      'vllm:external_prefix_cache_hits_total',
      'External prefix cache hits from KV connector cross-instance cache sharing, in terms of number of cached tokens.',
    );
    this.#decisions = new Counter({
      name: 'infernode_sim_kv_fetch_decisions_total',
      help: 'Connector lookups of admitted requests by outcome: fetched (load beat recompute and succeeded), recomputed (recompute was modeled faster), miss (the store held nothing past the GPU hit), skipped (not looked up: the router KV load hint said no node L1 store holds the block past the GPU hit), late (the lookup passed what the load would save; recomputed at once), failed (the load failed; recomputed).',
      labelNames: ['outcome'],
      registers,
    });
    for (const o of OUTCOMES) this.#decisions.inc({ outcome: o }, 0);
    const bytes = (name: string, help: string): Counter => {
      const c = new Counter({ name, help, labelNames: ['kind'], registers });
      c.inc({ kind: 'modeled' }, 0);
      c.inc({ kind: 'real' }, 0);
      return c;
    };
    this.#offloadBytes = bytes(
      'infernode_sim_kv_offloaded_bytes_total',
      'KV bytes of evicted GPU blocks put to the block service: kind="modeled" is the true KV size, kind="real" the scaled payload sent (modeled × bytesFraction).',
    );
    this.#fetchBytes = bytes(
      'infernode_sim_kv_fetched_bytes_total',
      'KV bytes loaded from the block service into the GPU cache: kind="modeled" is the true KV size (what the transfer time is computed from), kind="real" the scaled payload received.',
    );
    this.#dropped = new Counter({
      name: 'infernode_sim_kv_offload_dropped_blocks_total',
      help: 'Evicted blocks not offloaded: queue_full (the bounded offload queue was full), put_failed (the put failed or timed out).',
      labelNames: ['reason'],
      registers,
    });
    this.#dropped.inc({ reason: 'queue_full' }, 0);
    this.#dropped.inc({ reason: 'put_failed' }, 0);
    const offloaded = new Counter({
      name: 'infernode_sim_kv_offloaded_blocks_total',
      help: 'Evicted GPU blocks stored by the block service.',
      registers,
    });
    this.offloadedBlocks = offloaded.labels({});
    const verify = new Counter({
      name: 'infernode_sim_kv_fetch_verify_failures_total',
      help: 'Fetched blocks whose bytes were not their hash-derived payload (treated as a miss).',
      registers,
    });
    this.verifyFailures = verify.labels({});
    this.#lookup = new Histogram({
      name: 'infernode_sim_kv_lookup_seconds',
      help: "Wall time of a connector lookup (the agent's get-prefix round trip, or until its deadline), by outcome.",
      labelNames: ['outcome'],
      buckets: LOOKUP_BUCKETS_S,
      registers,
    });
    this.waitingForRemote = new Gauge({
      name: 'infernode_sim_kv_requests_waiting_for_remote_kvs',
      help: "Requests waiting for their prefix to load from the block service (vLLM's WAITING_FOR_REMOTE_KVS).",
      registers,
    });
  }

  /** One lookup's outcome. */
  decided(outcome: FetchOutcome): void {
    this.#decisions.inc({ outcome });
  }

  /** One lookup's wall time, seconds. */
  lookupSeconds(outcome: FetchOutcome, seconds: number): void {
    this.#lookup.observe({ outcome }, seconds);
  }

  /** Blocks offloaded, in modeled and real bytes. */
  offloaded(modeled: number, real: number): void {
    this.#offloadBytes.inc({ kind: 'modeled' }, modeled);
    this.#offloadBytes.inc({ kind: 'real' }, real);
  }

  /** Blocks fetched, in modeled and real bytes. */
  fetched(modeled: number, real: number): void {
    this.#fetchBytes.inc({ kind: 'modeled' }, modeled);
    this.#fetchBytes.inc({ kind: 'real' }, real);
  }

  /** Blocks not offloaded. */
  dropped(reason: OffloadDrop, blocks: number): void {
    this.#dropped.inc({ reason }, blocks);
  }
}
