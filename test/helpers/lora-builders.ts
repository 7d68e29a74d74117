/**
 * Builders for LoRA placement tests: engines, the adapter wanted, the controller's memory, and
 * a plan input. Defaults describe a ready vLLM engine with free slots and an adapter that any
 * engine serving `base` may hold; tests override only what they are about.
 */
import type {
  AdapterObserved,
  AdapterWant,
  EngineAttempt,
  EngineSlot,
  PlanInput,
} from '../../src/lora/index.js';

/** The adapter name the builders use. */
export const ADAPTER = 'sql-lora';

/** A ready engine `id` on node `node` serving `base`, 4 LoRA slots, rank ≤ 16, nothing loaded. */
export function anEngine(id: string, node: string, over: Partial<EngineSlot> = {}): EngineSlot {
  return {
    id,
    node,
    model: 'base',
    labels: { app: 'vllm' },
    ready: true,
    maxLoras: 4,
    maxLoraRank: 16,
    loaded: [],
    load: 0,
    ...over,
  };
}

/** An adapter for base model `base` on engines labelled app=vllm, every candidate, leastAdapters. */
export function aWant(over: Partial<AdapterWant> = {}): AdapterWant {
  return {
    key: `default/${ADAPTER}`,
    name: ADAPTER,
    baseModel: 'base',
    podSelector: { matchLabels: { app: 'vllm' } },
    replicas: undefined,
    policy: 'leastAdapters',
    rank: undefined,
    deleting: false,
    ...over,
  };
}

/** The controller's memory: instances, attempts and in-flight commands (none by default). */
export function observed(
  over: {
    instances?: readonly string[];
    attempts?: readonly EngineAttempt[];
    inFlight?: readonly string[];
    unloading?: readonly string[];
  } = {},
): AdapterObserved {
  return {
    instances: over.instances ?? [],
    attempts: new Map((over.attempts ?? []).map((a) => [a.engineId, a])),
    inFlight: new Set(over.inFlight ?? []),
    ...(over.unloading === undefined ? {} : { unloading: new Set(over.unloading) }),
  };
}

/** A plan input at time 1,000,000 ms with random 0. */
export function aPlanInput(over: Partial<PlanInput> = {}): PlanInput {
  return {
    want: aWant(),
    engines: [],
    observed: observed(),
    nowMs: 1_000_000,
    random: 0,
    ...over,
  };
}

/** `engine` with the adapter `ADAPTER` listed (plus `others`). */
export function holding(engine: EngineSlot, ...others: string[]): EngineSlot {
  return { ...engine, loaded: [...others, ADAPTER] };
}
