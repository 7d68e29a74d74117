/**
 * Long-lived, bounded state that stateful strategies share across requests. The gateway owns one
 * instance; strategies read and update it through their hooks. Each strategy that needs state
 * adds its own field here.
 */
export interface RoutingState {
  /** Free-form, strategy-owned slots keyed by strategy name. Each value must be bounded. */
  readonly slots: Map<string, unknown>;
}

/** A fresh, empty state. */
export function createRoutingState(): RoutingState {
  return { slots: new Map() };
}
