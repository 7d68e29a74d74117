/**
 * What the gateway's inference path is given: the catalog of endpoints, admission, the trackers,
 * routing, the upstream pool and its timeouts. A leaf of types, so the request's stages can share
 * it without importing each other.
 */
import type { RoutingContext } from '../routing/index.js';
import type { Clock, Logger } from '../shared/index.js';
import type { TrafficPolicy } from '../traffic/index.js';
import type { ApiSupport } from './api-support.js';
import type { EndpointCatalog } from './endpoint-catalog.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { InFlightTracker } from './in-flight.js';
import type { PassiveHealth } from './passive-health.js';
import type { RequestHold } from './request-hold.js';
import type { UpstreamPools } from './upstream-pools.js';
import type { UpstreamTimeouts } from './upstream.js';

/** The inference path's dependencies, built once by the leader's root. */
export interface InferenceDeps {
  readonly catalog: EndpointCatalog;
  readonly admission: TrafficPolicy;
  readonly inFlight: InFlightTracker;
  readonly health: PassiveHealth;
  /** Engines known not to serve an endpoint (learned from their answers). */
  readonly apiSupport: ApiSupport;
  readonly metrics: GatewayMetrics;
  readonly routing: RoutingContext;
  readonly defaultStrategy: string;
  /** Connections to engines; the gateway server closes them when it stops. */
  readonly pools: UpstreamPools;
  readonly timeouts: UpstreamTimeouts;
  readonly maxBodyBytes: number;
  /** Seconds clients are told to wait when no engine is ready. */
  readonly retryAfterSeconds: number;
  /**
   * Holds requests for expected models without a ready engine (scale from zero, adapters
   * loading); absent: such requests are answered at once (404 or 503).
   */
  readonly hold?: RequestHold;
  /**
   * Called once per request relayed to completion with the usage its engine reported (the GPU
   * optimizer's request log); absent: nothing is told.
   */
  readonly onFinished?: (model: string, promptTokens: number, completionTokens: number) => void;
  readonly clock: Clock;
  readonly log: Logger;
}
