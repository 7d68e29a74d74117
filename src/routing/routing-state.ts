import type { RoutingConfig } from './routing-config.js';
import { SessionTable } from './session-table.js';
import { VtcTracker } from './vtc-tracker.js';

/**
 * Long-lived, bounded state that stateful strategies share across requests. The gateway owns one
 * instance per process; strategies read and update it through their hooks. Each structure is
 * built on first use and bounded by the routing config.
 */
export interface RoutingState {
  /** The routing config the structures are sized from. */
  readonly config: RoutingConfig;
  /** Session id → endpoint (session-affinity). */
  readonly sessions: SessionTable;
  /** Per-user weighted token counters (vtc-basic). */
  readonly vtc: VtcTracker;
}

class LazyRoutingState implements RoutingState {
  readonly config: RoutingConfig;
  #sessions: SessionTable | undefined;
  #vtc: VtcTracker | undefined;

  constructor(config: RoutingConfig) {
    this.config = config;
  }

  get sessions(): SessionTable {
    return (this.#sessions ??= new SessionTable(this.config.sessionAffinity));
  }

  get vtc(): VtcTracker {
    return (this.#vtc ??= new VtcTracker(this.config.vtc));
  }
}

/** A fresh, empty state sized by `config` (see defaultRoutingConfig for the defaults). */
export function createRoutingState(config: RoutingConfig): RoutingState {
  return new LazyRoutingState(config);
}
