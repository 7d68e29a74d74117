/**
 * The bounds on what the gateway takes in before a request is routed: connections, request-body
 * bytes in flight, and how long headers and bodies may take to arrive. One place for their
 * defaults, which the leader's config spec repeats.
 */
import type { BodyLease } from './body-budget.js';

/** Bounds on the gateway's intake, per process. */
export interface IntakeLimits {
  /** Open client connections; requests on connections past it get 503. Default 4096. */
  readonly maxConnections: number;
  /** Request-body bytes all in-flight requests may hold together, bytes. Default 256 MiB. */
  readonly maxInFlightBodyBytes: number;
  /** The whole request body must arrive within this, ms (408 after). Default 10000. */
  readonly bodyTimeoutMs: number;
  /** The request headers must arrive within this, ms (Node answers 408). Default 10000. */
  readonly headersTimeoutMs: number;
}

/**
 * The intake bounds used when the config sets none: enough for a busy gateway, small enough that a
 * flood of bodies cannot exhaust memory.
 */
export const DEFAULT_INTAKE_LIMITS: IntakeLimits = {
  maxConnections: 4096,
  maxInFlightBodyBytes: 256 * 1024 * 1024,
  bodyTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
};

/** What one inference request's intake gets from the server: its body lease and deadline. */
export interface RequestIntake {
  readonly lease: BodyLease;
  readonly bodyTimeoutMs: number;
}
