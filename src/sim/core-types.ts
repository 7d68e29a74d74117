/** Types of the simulator's pure engine core (engine-core.ts). */
import type { L1Absent } from '../kvcache/index.js';

/** Why a request finished, with vLLM's `finished_reason` values. */
export type FinishReason = 'stop' | 'length' | 'abort';

/** What the HTTP layer hands the core for one request. */
export interface CoreRequestSpec {
  /** Prompt length, tokens. */
  readonly promptLength: number;
  /** Chained hashes of the prompt's full blocks (src/engine hashBlocks). */
  readonly blockHashes: readonly number[];
  /** Output tokens after which the request stops with `length`. */
  readonly maxTokens: number;
  /**
   * Output tokens after which the model emits EOS and stops with `stop`; `Infinity` when EOS is
   * ignored (`ignore_eos`). The EOS token counts as an output token, as in vLLM.
   */
  readonly eosAfterTokens: number;
  /** LoRA adapter name, or null for the base model. */
  readonly lora: string | null;
  /** The prompt's token ids, for KV events (BlockStored carries them); absent = no events. */
  readonly promptTokens?: Uint32Array;
  /** The adapter's int id in the engine (vLLM lora_int_id, BlockStored's lora_id). */
  readonly loraId?: number | null;
  /**
   * The router's KV load hint (kvcache/kv-load-hint.ts): a block past the GPU prefix that no
   * node's L1 holds; the connector skips a lookup that would start there.
   */
  readonly l1Absent?: L1Absent;
}

/**
 * Receives the KV cache changes vLLM reports as KV events (kv-event-recorder.ts). Called inside
 * engine steps; implementations only buffer.
 */
export interface KvCacheEventSink {
  /** Full blocks newly registered in the prefix cache, in chain order after `parentHash`. */
  blocksStored(
    hashes: readonly number[],
    parentHash: number | null,
    tokens: Uint32Array,
    loraId: number | null,
  ): void;
  /** A cached hash was evicted (its block handed out again). */
  blockRemoved(hash: number): void;
  /** The whole prefix cache was dropped. */
  allCleared(): void;
}

/** One request inside the core. Mutable state is owned by the core; `tag` belongs to the caller. */
export interface CoreRequest<T = unknown> {
  readonly id: number;
  readonly spec: CoreRequestSpec;
  /** Caller data (the HTTP sink), carried so token delivery needs no map lookup. */
  readonly tag: T;
  state: 'waiting' | 'running' | 'finished';
  /**
   * Waiting for its prefix's KV from the connector (vLLM's WAITING_FOR_REMOTE_KVS): queued, but
   * skipped by admission until the load lands or gives up. Set and cleared through the core.
   */
  remoteKvHeld: boolean;
  /** Tokens whose KV is computed (cache hits included). */
  numComputedTokens: number;
  /** Output tokens generated so far. */
  numOutputTokens: number;
  /** KV blocks held, in order. */
  blockIds: number[];
  /** Leading blocks already registered in the prefix cache. */
  numHashedBlocks: number;
  /** Prompt tokens served from the prefix cache at first scheduling; -1 before. */
  numCachedTokens: number;
  /** Times this request was preempted. */
  numPreemptions: number;
  /** Simulated timestamps, seconds; NaN until they happen. */
  arrivalS: number;
  firstScheduledS: number;
  firstTokenS: number;
  lastTokenS: number;
  /** Time of the token before the last one (inter-token latency = last − previous). */
  prevTokenS: number;
  finishedS: number;
  finishReason: FinishReason | null;
}

/** What one engine step did. Arrays are fresh per step; requests are shared references. */
export interface StepResult<T = unknown> {
  /** Simulated start and end of the step, seconds. */
  readonly startS: number;
  readonly endS: number;
  /** Requests in the batch. */
  readonly batchSize: number;
  /** Prompt (or recomputed) tokens computed this step. */
  readonly prefillTokens: number;
  /** Every token scheduled this step, prefill and decode (vllm:iteration_tokens_total). */
  readonly scheduledTokens: number;
  /** Requests that produced one output token this step. */
  readonly emitted: readonly CoreRequest<T>[];
  /** Requests that finished this step (also in `emitted`). */
  readonly finished: readonly CoreRequest<T>[];
  /** Preemptions this step. */
  readonly preemptions: number;
  /** Prefix-cache lookups this step, tokens (vLLM counts whole prompts). */
  readonly prefixQueryTokens: number;
  /** Prefix-cache hits this step, tokens. */
  readonly prefixHitTokens: number;
}

/** Engine knobs, with vLLM's names in the docs. */
export interface CoreConfig {
  /** --max-num-seqs: requests running at once. */
  readonly maxNumSeqs: number;
  /** --max-num-batched-tokens: token budget of one step (chunked prefill). */
  readonly maxNumBatchedTokens: number;
  /** --num-gpu-blocks-override: KV blocks. */
  readonly numGpuBlocks: number;
  /** Tokens per KV block (16). */
  readonly blockSizeTokens: number;
  /** --max-loras: distinct adapters in one batch. */
  readonly maxLoras: number;
  /** Waiting-queue bound; `submit` refuses beyond it (vLLM's queue is unbounded). */
  readonly maxWaitingRequests: number;
}
