/**
 * The Events of the ModelAdapter controller, with stable reasons: AdapterLoaded, AdapterUnloaded,
 * LoadFailed, UnloadFailed, AdapterMoving (its engine went away or is not ready), AdapterFailed
 * (phase Failed), and the reason of an invalid resource (InvalidName, NameIsBaseModel,
 * CredentialsSecretMissing, …). The recorder de-duplicates repeats and never throws.
 */
import type { EventRecorder } from '../controllers/index.js';
import type { Condition } from '../discovery/index.js';
import type { ModelAdapter, PlacementAction } from '../lora/index.js';
import type { AttemptOutcome } from './adapter-planner.js';

/** The controller's Event calls. */
export interface AdapterEvents {
  invalid(r: ModelAdapter, reason: string, message: string, signal: AbortSignal): Promise<void>;
  moving(r: ModelAdapter, engineId: string, why: string, signal: AbortSignal): Promise<void>;
  failed(r: ModelAdapter, conditions: readonly Condition[], signal: AbortSignal): Promise<void>;
  outcome(r: ModelAdapter, action: PlacementAction, outcome: AttemptOutcome): Promise<void>;
}

const about = (r: ModelAdapter) => ({
  kind: 'ModelAdapter',
  name: r.metadata.name,
  namespace: r.metadata.namespace ?? 'default',
});

/** The Events over one recorder. */
export function adapterEvents(recorder: EventRecorder): AdapterEvents {
  return {
    invalid: (r, reason, message, signal) =>
      recorder.record({ involvedObject: about(r), type: 'Warning', reason, message }, { signal }),
    moving: (r, engineId, why, signal) =>
      recorder.record(
        {
          involvedObject: about(r),
          type: 'Warning',
          reason: 'AdapterMoving',
          message: `engine ${engineId} ${why}; the adapter is placed on another candidate`,
        },
        { signal },
      ),
    failed: (r, conditions, signal) => {
      const why = conditions.find((c) => c.status === 'False');
      return recorder.record(
        {
          involvedObject: about(r),
          type: 'Warning',
          reason: 'AdapterFailed',
          message: why?.message ?? why?.reason ?? 'no engine can take the adapter',
        },
        { signal },
      );
    },
    outcome: (r, action, outcome) => {
      const load = action.kind === 'load';
      return recorder.record(
        outcome.ok
          ? {
              involvedObject: about(r),
              type: 'Normal',
              reason: load ? 'AdapterLoaded' : 'AdapterUnloaded',
              message: `${load ? 'loaded on' : 'unloaded from'} engine ${action.engineId}`,
            }
          : {
              involvedObject: about(r),
              type: 'Warning',
              reason: load ? 'LoadFailed' : 'UnloadFailed',
              message: `engine ${action.engineId}: ${outcome.code}: ${outcome.message}`,
            },
        {},
      );
    },
  };
}
