/**
 * The leader's OpenAI-compatible gateway with its health parts: the endpoint catalog over the
 * cluster state store, passive health (ejections from failed requests) and the active prober that
 * brings ejected endpoints back. Built once; the gateway serves on every replica, leader or not.
 */
import {
  ApiSupport,
  GatewayMetrics,
  GatewayServer,
  HealthProber,
  InFlightTracker,
  PassiveHealth,
  UpstreamPools,
  type InferenceDeps,
} from '../gateway/index.js';
import type { Clock, Logger, Registry } from '../shared/index.js';
import { ClusterEndpointCatalog } from './cluster-endpoint-catalog.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { LeaderConfig } from './leader-adapters.js';

/** What the gateway needs from the composition root. */
export interface GatewayWiring {
  readonly config: LeaderConfig;
  readonly store: ClusterStateStore;
  readonly admission: InferenceDeps['admission'];
  readonly routing: InferenceDeps['routing'];
  readonly hold: InferenceDeps['hold'];
  readonly onFinished: InferenceDeps['onFinished'];
  readonly registry: Registry;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The gateway, the passive health it ejects through, and the prober that readmits. */
export interface GatewayParts {
  readonly gateway: GatewayServer;
  readonly health: PassiveHealth;
  readonly prober: HealthProber;
}

/** Builds the gateway and its health parts (nothing listens until they run). */
export function buildGateway(wiring: GatewayWiring): GatewayParts {
  const { config, store, registry, clock, log } = wiring;
  const catalog = new ClusterEndpointCatalog(store);
  const health = new PassiveHealth(config.passiveHealth);
  const gateway = new GatewayServer({
    host: config.gateway.host,
    port: config.gateway.port,
    log: log.child({ component: 'gateway' }),
    drainMs: Math.max(1000, config.shutdownGraceMs - 2000),
    limits: config.gateway,
    deps: {
      catalog,
      admission: wiring.admission,
      inFlight: new InFlightTracker(),
      health,
      apiSupport: new ApiSupport(),
      metrics: new GatewayMetrics(registry),
      routing: wiring.routing,
      defaultStrategy: config.routing.strategy,
      pools: new UpstreamPools(config.upstream),
      timeouts: config.upstream,
      maxBodyBytes: config.gateway.maxBodyBytes,
      retryAfterSeconds: config.gateway.retryAfterSeconds,
      ...(wiring.hold === undefined ? {} : { hold: wiring.hold }),
      ...(wiring.onFinished === undefined ? {} : { onFinished: wiring.onFinished }),
      clock,
      log: log.child({ component: 'gateway' }),
    },
  });
  const prober = new HealthProber({
    health,
    catalog,
    clock,
    log: log.child({ component: 'health-prober' }),
  });
  return { gateway, health, prober };
}
