/**
 * The console contract's resource sections (see console-snapshot.ts): ModelAdapters,
 * PodAutoscalers with their recent decisions, and the KV cache per node.
 */

/** One ModelAdapter (LoRA) resource. */
export interface ConsoleAdapter {
  readonly namespace: string;
  readonly name: string;
  readonly baseModel: string;
  /** The resource's status phase (Pending, Scheduled, Running, Failed…); null before its first status. */
  readonly phase: string | null;
  /** Engine ids the adapter is loaded on. */
  readonly loadedOn: readonly string[];
  readonly desiredReplicas: number | null;
  /** The last error its controller recorded; null when none. */
  readonly lastError: string | null;
}

/** One scaling decision with its reason. */
export interface ConsoleScaleDecision {
  readonly atMs: number;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

/** One PodAutoscaler. */
export interface ConsoleAutoscaler {
  readonly namespace: string;
  readonly name: string;
  /** What it scales, e.g. "Deployment/llama-8b". */
  readonly target: string;
  /** Strategy: HPA, KPA, APA… */
  readonly strategy: string;
  readonly current: number | null;
  readonly desired: number | null;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The metric it scales on and its latest value against the target. */
  readonly signal: {
    readonly metric: string;
    readonly value: number | null;
    readonly target: number | null;
  };
  /** Its latest decisions, newest first; at most 10. */
  readonly decisions: readonly ConsoleScaleDecision[];
}

/** One node's KV cache. */
export interface ConsoleKvNode {
  readonly node: string;
  /** L1 (CPU memory) store bytes used / capacity; null when the node has no L1 store. */
  readonly l1UsedBytes: number | null;
  readonly l1CapacityBytes: number | null;
  /** Blocks the global index knows on this node. */
  readonly blocks: number;
}

/** The KV cache across the cluster. */
export interface ConsoleKv {
  readonly nodes: readonly ConsoleKvNode[];
  /** Hit ratios per tier (0–1), null when no lookup happened: GPU (engine prefix cache), L1, L2. */
  readonly hitRatio: {
    readonly gpu: number | null;
    readonly l1: number | null;
    readonly l2: number | null;
  };
}
