/** Everything the simulator's HTTP handlers share, built once per server by sim-server.ts. */
import type { ServerResponse } from 'node:http';
import type { Logger, Registry } from '../shared/index.js';
import type { EngineLoop } from './engine-loop.js';
import type { FaultController } from './fault-controller.js';
import type { KvConnector } from './kv-connector.js';
import type { LoraRegistry } from './lora-registry.js';
import type { SimMetrics } from './sim-metrics.js';
import type { ResolvedSimOptions } from './sim-options.js';
import type { ResolvedModel } from './request-parse.js';
import { sendJson } from '../shared/index.js';
import type { VllmError } from './openai-shapes.js';
import type { WeightLoadReport } from './weight-loader.js';

/** Shared state of one simulator. */
export interface SimContext {
  readonly options: ResolvedSimOptions;
  readonly log: Logger;
  readonly loop: EngineLoop;
  readonly registry: Registry;
  readonly metrics: SimMetrics;
  readonly lora: LoraRegistry;
  readonly faults: FaultController;
  /** Unix seconds the server started (model cards' `created`). */
  readonly createdS: number;
  /** Responses held open by the hang fault, destroyed on close. */
  readonly hung: Set<ServerResponse>;
  /** True once shutdown began: new work gets 503. */
  isDraining: boolean;
  /** What the startup weight load read (GET /admin/weights). */
  readonly weights: WeightLoadReport;
  /** Drops the prefix cache (POST /reset_prefix_cache); false while blocks are in use. */
  readonly resetPrefixCache: () => boolean;
  /** The KV connector (--kv-transfer-config), or null. */
  readonly kvConnector: KvConnector | null;
}

/** Resolves a request's `model` to the base model or a loaded adapter. */
export function resolveModel(ctx: SimContext, model: string | undefined): ResolvedModel | null {
  const base = ctx.options.model;
  if (model === undefined || model === base) return { name: base, lora: null, hashSeed: 0 };
  const adapter = ctx.lora.get(model);
  return adapter === undefined
    ? null
    : { name: adapter.name, lora: adapter.name, hashSeed: adapter.intId };
}

/** Sends a vLLM error reply. */
export function sendError(
  res: ServerResponse,
  err: VllmError,
  headers: Record<string, string> = {},
): void {
  sendJson(res, err.status, err.body, headers);
}
