/** The leader's `controllers.*` config as the settings of every reconcile host it runs. */
import type { ReconcileHostSettings } from '../controllers/index.js';
import type { LeaderConfig } from './leader-adapters.js';

/** Maps the config section; a max backoff below the initial one is raised to it. */
export function reconcileHostSettings(
  config: LeaderConfig['controllers'],
): Partial<ReconcileHostSettings> {
  return {
    maxQueuedKeys: config.maxQueuedKeys,
    resyncIntervalMs: config.resyncIntervalMs,
    reconcileTimeoutMs: config.reconcileTimeoutMs,
    backoff: {
      initialMs: config.backoffInitialMs,
      maxMs: Math.max(config.backoffInitialMs, config.backoffMaxMs),
      factor: 2,
    },
  };
}
