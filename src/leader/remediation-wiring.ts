/**
 * GPU remediation as a leader part: its taint Events and its drains also go to the web console's
 * event log (console-remediation.ts), its Events are correlated like every controller's, and its
 * reconcile host takes the controllers' settings.
 */
import type { ConsoleEventLog } from '../console/index.js';
import { CorrelatingEventRecorder, type Timers } from '../controllers/index.js';
import type { NodeOps } from '../kube/index.js';
import type { Clock, Logger, Registry, Rng } from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import { consoleDrainEvents, consoleTaintEvents } from './console-remediation.js';
import { reconcileHostSettings } from './controller-settings.js';
import { GpuRemediation } from './gpu-remediation.js';
import type { LeaderConfig } from './leader-adapters.js';

/** What GPU remediation needs from the composition root. */
export interface RemediationWiring {
  readonly config: LeaderConfig;
  readonly store: ClusterStateStore;
  readonly nodeOps: NodeOps;
  /** The console's event log, told of taints and drains. */
  readonly consoleEvents: ConsoleEventLog;
  /** The gateway's drain of one engine: requests still running after `timeoutMs` are cut. */
  readonly drainEndpoint: (id: string, timeoutMs: number) => number;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
}

/** Builds the GPU remediation part (it runs only while this process leads). */
export function buildGpuRemediation(wiring: RemediationWiring): GpuRemediation {
  const { config, nodeOps, consoleEvents, clock } = wiring;
  const log = wiring.log.child({ component: 'gpu-remediation' });
  return new GpuRemediation({
    store: wiring.store,
    nodeOps,
    events: new CorrelatingEventRecorder({
      sink: consoleTaintEvents(consoleEvents, (event, options) =>
        nodeOps.recordEvent(event, options),
      ),
      clock,
      log,
    }),
    log,
    registry: wiring.registry,
    clock,
    rng: wiring.rng,
    timers: wiring.timers,
    drainEndpoint: consoleDrainEvents(consoleEvents, wiring.drainEndpoint),
    drainTimeoutMs: config.gpuRemediation.drainTimeoutMs,
    settings: reconcileHostSettings(config.controllers),
  });
}
