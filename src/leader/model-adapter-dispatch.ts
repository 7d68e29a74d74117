/**
 * Sends one LoRA load or unload the ModelAdapter reconciler planned, in the background: the
 * command's arguments (artifact, credentials, the resource's additional config), the engine marked
 * in flight meanwhile, and the result folded back into the adapter's memory (instances, attempts,
 * rank) before the key is enqueued again. Apart from the reconciler so its reconcile() reads as
 * observe, plan, act, write status.
 */
import type { Clock, Logger } from '../shared/index.js';
import { LORA_LOAD, LORA_UNLOAD, type ModelAdapter, type PlacementAction } from '../lora/index.js';
import type { AdapterRecord } from './adapter-memory.js';
import type { AdapterEvents } from './model-adapter-events.js';
import type { AdapterPlanner } from './adapter-planner.js';
import type { CommandClient } from './command-client.js';

/** An unload that failed because the engine or node is gone: nothing is left to unload. */
const GONE_CODES = new Set(['LORA_UNKNOWN_ENGINE', 'COMMAND_NODE_UNKNOWN']);

/** What one dispatch needs of the reconciler. */
export interface AdapterDispatchContext {
  /** The reconciler's options this needs (see ModelAdapterReconcilerOptions). */
  readonly options: {
    readonly commands: Pick<CommandClient, 'send'>;
    readonly planner: AdapterPlanner;
    readonly clock: Clock;
    readonly enqueue: (key: string) => void;
    readonly signal: () => AbortSignal | undefined;
    readonly loadTimeoutMs?: number;
    readonly unloadTimeoutMs?: number;
  };
  readonly events: AdapterEvents;
  /** The adapter's resolved credentials (loads only); undefined when it has none. */
  readonly credentials: Readonly<Record<string, string>> | undefined;
  /** The ModelAdapter resource, when one still exists (its events and additional config). */
  readonly resource: ModelAdapter | undefined;
  readonly log: Logger;
}

/** Sends one command in the background; its result updates the memory and enqueues the key. */
export function dispatchAdapterCommand(
  rec: AdapterRecord,
  action: PlacementAction,
  ctx: AdapterDispatchContext,
): void {
  const { options, credentials, resource, log } = ctx;
  const { want } = rec;
  const load = action.kind === 'load';
  const args = load
    ? {
        adapter: want.name,
        engineId: action.engineId,
        ...(want.baseModel === undefined ? {} : { baseModel: want.baseModel }),
        artifactUrl: rec.artifactUrl,
        ...(credentials === undefined ? {} : { credentials: { ...credentials } }),
        ...(resource?.spec.additionalConfig === undefined
          ? {}
          : { additionalConfig: { ...resource.spec.additionalConfig } }),
      }
    : { adapter: want.name, engineId: action.engineId, artifactUrl: rec.artifactUrl };
  rec.inFlight.add(action.engineId);
  if (!load) rec.unloading.add(action.engineId);
  const signal = options.signal();
  void options.commands
    .send({
      node: action.node,
      kind: load ? LORA_LOAD : LORA_UNLOAD,
      args,
      timeoutMs: load ? (options.loadTimeoutMs ?? 300_000) : (options.unloadTimeoutMs ?? 60_000),
      ...(signal === undefined ? {} : { signal }),
    })
    .then(async (result) => {
      rec.inFlight.delete(action.engineId);
      rec.unloading.delete(action.engineId);
      const nowMs = options.clock.now();
      if (load) {
        rec.attempts = options.planner.record(rec.attempts, action.engineId, result, nowMs);
        if (result.ok) {
          rec.instances.add(action.engineId);
          const rank = result.value?.rank;
          if (typeof rank === 'number') rec.rank ??= rank;
        }
      } else if (result.ok || GONE_CODES.has(result.code)) rec.instances.delete(action.engineId);
      if (!result.ok)
        log.warn({ engine: action.engineId, code: result.code, kind: action.kind }, result.message);
      if (resource !== undefined) await ctx.events.outcome(resource, action, result);
      options.enqueue(rec.key);
    });
}
