/**
 * The contract between the pure LoRA placement (`planAdapter`, src/lora/adapter-plan.ts) and
 * the leader's ModelAdapter controller that observes, calls it, and acts. The controller builds
 * the inputs from the resource, the agents' engine reports and its own record of command
 * outcomes; the plan says which engines should hold the adapter, which commands to send now,
 * and the status to write. Pure data: no clock, no I/O (time comes in as `nowMs`).
 */
import type { Condition, LabelSelector } from '../discovery/index.js';
import type { ModelAdapterPhase } from './model-adapter.js';

/** Placement policies (spec.schedulerName; `default` means leastAdapters). */
export const PLACEMENT_POLICIES = ['leastAdapters', 'binPack', 'leastLoad', 'random'] as const;

/** One of {@link PLACEMENT_POLICIES}. */
export type PlacementPolicy = (typeof PLACEMENT_POLICIES)[number];

/** An engine as placement sees it (from discovery and its agent's latest report). */
export interface EngineSlot {
  readonly id: string;
  readonly node: string;
  /** Base model served. */
  readonly model: string;
  /** Pod labels (Kubernetes) or the cluster file's engine labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Discovery says routable, its agent reports it up, not draining, its GPUs healthy. */
  readonly ready: boolean;
  /** LoRA slots (`max_loras` from the engine's `vllm:lora_requests_info`); 0 = LoRA off/unknown. */
  readonly maxLoras: number;
  /** Highest adapter rank the engine accepts (--max-lora-rank; vLLM's default 16). */
  readonly maxLoraRank: number;
  /** Adapters the engine lists now (its /v1/models entries with a parent). */
  readonly loaded: readonly string[];
  /** Requests in flight or waiting on it (for leastLoad). */
  readonly load: number;
}

/** What the resource asks for, normalized. */
export interface AdapterWant {
  /** `<namespace>/<name>`. */
  readonly key: string;
  /** The served name (metadata.name). */
  readonly name: string;
  readonly baseModel: string | undefined;
  readonly podSelector: LabelSelector;
  /** Undefined: every candidate engine. */
  readonly replicas: number | undefined;
  readonly policy: PlacementPolicy;
  /** The adapter's rank once a load has reported it; undefined before. */
  readonly rank: number | undefined;
  /** Being deleted: unload everywhere, then the finalizer may go. */
  readonly deleting: boolean;
}

/** The controller's memory of one engine for one adapter (kept across reconciles). */
export interface EngineAttempt {
  readonly engineId: string;
  /** Consecutive failed loads on this engine. */
  readonly failures: number;
  /** Do not try this engine again before this time (ms, the controller's clock). */
  readonly retryAtMs: number;
  /** Last failure, as the agent reported it. */
  readonly lastError?: { readonly code: string; readonly message: string; readonly atMs: number };
  /** No more tries here (tries used up, or an error no retry can fix on this engine). */
  readonly givenUp: boolean;
  /**
   * The last failure was the engine having no free slot (LORA_NO_SLOT): until `retryAtMs` it is
   * no candidate, so placement moves the adapter on at once instead of waiting for it; after
   * that it is one again only if its agent's fresh report shows room.
   */
  readonly noSlot?: boolean;
}

/** What the controller observed and remembers for one adapter. */
export interface AdapterObserved {
  /** Engines where a load succeeded and which the controller counts as holding it. */
  readonly instances: readonly string[];
  /** Per-engine attempts (failures and retry times), by engine id. */
  readonly attempts: ReadonlyMap<string, EngineAttempt>;
  /** Engines with a load or unload command in flight now. */
  readonly inFlight: ReadonlySet<string>;
  /**
   * The engines of `inFlight` whose command is an unload (absent: none). Placement counts an
   * in-flight load as a replica on its way and an in-flight unload as one on its way out.
   */
  readonly unloading?: ReadonlySet<string>;
}

/** One command the controller should send now. */
export type PlacementAction =
  | { readonly kind: 'load'; readonly engineId: string; readonly node: string }
  | { readonly kind: 'unload'; readonly engineId: string; readonly node: string };

/** The whole decision for one adapter at one moment. */
export interface AdapterPlan {
  /** Engines that could hold it (ready, selector, base model, slot, rank), sorted by id. */
  readonly candidates: readonly string[];
  /** Engines that should hold it after this plan's actions, sorted by id. */
  readonly desired: readonly string[];
  readonly actions: readonly PlacementAction[];
  /** Status to write (phase, conditions, counts, per-engine last errors). */
  readonly phase: ModelAdapterPhase;
  readonly conditions: readonly Condition[];
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  /** Reconcile again after this many ms (a retry coming due); undefined: on change only. */
  readonly requeueAfterMs: number | undefined;
  /** True when deleting and nothing is loaded anywhere any more: remove the finalizer. */
  readonly finalized: boolean;
}

/** Inputs of one planning call. */
export interface PlanInput {
  readonly want: AdapterWant;
  readonly engines: readonly EngineSlot[];
  readonly observed: AdapterObserved;
  readonly nowMs: number;
  /** A number in [0, 1) for the random policy (the controller draws it from its Rng). */
  readonly random: number;
}
