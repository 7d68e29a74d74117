/** Builders for autoscaling decision inputs (defaults: APA, 1..10 replicas, 4 ready, no history). */
import {
  DEFAULT_AUTOSCALER_TUNABLES,
  type AutoscalerTunables,
  type DecideInput,
  type SourceSignal,
} from '../../src/autoscaling/index.js';

/** A per-pod-average signal (panic = stable unless given). */
export function aSignal(stable: number, target = 10, panic = stable, name = 'm'): SourceSignal {
  return { name, target, stable, panic };
}

/** Default tunables with overrides. */
export function someTunables(overrides: Partial<AutoscalerTunables> = {}): AutoscalerTunables {
  return { ...DEFAULT_AUTOSCALER_TUNABLES, ...overrides };
}

/** A decision input; `tunables` overrides merge into the defaults. */
export function aDecideInput(
  overrides: Omit<Partial<DecideInput>, 'tunables'> & {
    tunables?: Partial<AutoscalerTunables>;
  } = {},
): DecideInput {
  const { tunables, ...rest } = overrides;
  return {
    strategy: 'APA',
    minReplicas: 1,
    maxReplicas: 10,
    schedules: [],
    now: new Date('2026-03-02T12:00:00Z'),
    nowMs: 1_000_000,
    currentReplicas: 4,
    readyReplicas: 4,
    signals: [aSignal(10)],
    history: [],
    heldRequests: 0,
    ...rest,
    tunables: someTunables(tunables),
  };
}
